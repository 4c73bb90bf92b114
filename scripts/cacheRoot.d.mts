export declare const cacheRoot: () => string;
