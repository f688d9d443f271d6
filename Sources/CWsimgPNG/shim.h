#ifndef WSIMG_PNG_SHIM_H
#define WSIMG_PNG_SHIM_H

/* Only libpng's simplified png_image_* API is used: it reports errors in image.message and never
   longjmps into Swift frames. */
#include <string.h>
#include <png.h>

static inline png_image wsimg_png_image_new(void) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    return image;
}

#endif
