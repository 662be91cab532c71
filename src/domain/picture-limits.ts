// The largest picture the appliance takes anywhere (upload, URL, media folder, preview, decoders).

/** The longest side an image may have, in pixels. */
export const MAX_IMAGE_SIDE = 8192;
/** The most pixels an image may have (40 megapixels: about 160 MB once decoded to RGBA). */
export const MAX_IMAGE_PIXELS = 40_000_000;
