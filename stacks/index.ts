/**
 * The product catalog: every product the platform can provision. Adding a product is one file in
 * this folder (a `defineProduct(...)`) and one entry here; `infra/` derives its config keys, secret
 * keys, checks and resources from this list.
 */
import type { ConfigValues, PlainConfigKey } from "../components/config-key";
import type { ProductDefinition } from "../components/product-spec";

export type { ProductDefinition };
import { ara } from "./ara";
import { askDahlia } from "./ask-dahlia";
import { chatApi } from "./chat-api";
import { codebook } from "./codebook";
import { voyager } from "./voyager";

/** Every product, in the order stacks list them by default. */
export const PRODUCTS = [askDahlia, codebook, chatApi, voyager, ara] as const;

/** A product's id, e.g. `codebook`. */
export type ProductId = (typeof PRODUCTS)[number]["id"];

/** Every product id, in catalog order. */
export const PRODUCT_IDS: readonly ProductId[] = PRODUCTS.map((p) => p.id);

/** The products by id. */
export const CATALOG = Object.fromEntries(PRODUCTS.map((p): [ProductId, ProductDefinition] => [p.id, p])) as Readonly<Record<ProductId, ProductDefinition>>;

/** The validated values of every product's own config keys, one field per key. */
export type ProductConfigValues = ConfigValues<(typeof PRODUCTS)[number]["configKeys"]>;

/** Every product's own config keys, in catalog order. */
export function productConfigKeys(products: readonly ProductDefinition[] = PRODUCTS): readonly PlainConfigKey[] {
  return products.flatMap((p) => p.configKeys);
}
