import * as path from "node:path";
/** Where the verification script lives; it is read at construction and shipped in a ConfigMap. */
export const RESTORE_VERIFY_SCRIPT_PATH = path.join(__dirname, "scripts", "pg-restore-verify.sh");
