// Types of build-stamp.mjs (plain Node, so that it runs before anything is installed or built).
export declare const STAMP_FILE: string;
export declare function sourceDigest(root: string, env?: Record<string, string | undefined>): string;
export declare function isBuilt(root: string, digest: string): boolean;
export declare function ensureBuilt(root: string, env: Record<string, string | undefined>, build: () => void): boolean;
