/** The product catalog: every product the platform can provision, by id. */
import type { ProductId } from "../infra/config-keys";
import { ara } from "./ara";
import { askDahlia } from "./ask-dahlia";
import { chatApi } from "./chat-api";
import { codebook } from "./codebook";
import type { ProductDefinition } from "./types";
import { voyager } from "./voyager";

export const CATALOG: Readonly<Record<ProductId, ProductDefinition>> = {
  "ask-dahlia": askDahlia,
  codebook,
  "chat-api": chatApi,
  voyager,
  ara,
};

export * from "./types";
