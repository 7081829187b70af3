// Operations of this resource family are being written; see index.ts.
export {};
