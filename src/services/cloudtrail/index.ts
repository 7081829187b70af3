// CloudTrail LookupEvents is being written; see src/index.ts for registration.
export {};
