export * from './content-sniff';
export * from './fs-media-store';
export * from './media-key';
export * from './media-store';
export * from './media-store-errors';
export * from './open-media-store';
export * from './s3-media-store';
