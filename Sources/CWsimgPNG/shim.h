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

/* libpng's own macros for the buffer png_image_finish_read fills. The stride is counted in
   components, not bytes: for 16-bit (linear) formats a component is two bytes. */
static inline png_int_32 wsimg_png_row_stride(const png_image *image) {
    return (png_int_32)PNG_IMAGE_ROW_STRIDE(*image);
}
static inline size_t wsimg_png_buffer_size(const png_image *image, png_int_32 row_stride) {
    return PNG_IMAGE_BUFFER_SIZE(*image, row_stride);
}

#endif
