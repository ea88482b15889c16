// One reader of image headers for flowq and the simulator alike.
export { imageSize, type ImageType } from '@flowq/core';
