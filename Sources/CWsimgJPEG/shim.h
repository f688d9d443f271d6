#ifndef WSIMG_JPEG_SHIM_H
#define WSIMG_JPEG_SHIM_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>

/* libjpeg reports fatal errors by calling error_exit, which must not return. We longjmp back to the
   setjmp in wsimg_jpeg_decode_rgb: both live in this C file, so no Swift frame is ever skipped. */
struct wsimg_jpeg_error {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
};

static void wsimg_jpeg_error_exit(j_common_ptr info) {
    struct wsimg_jpeg_error *error = (struct wsimg_jpeg_error *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

static void wsimg_jpeg_ignore_message(j_common_ptr info) { (void)info; }

/* Decodes a baseline or progressive JPEG to 8-bit RGB rows. Returns 1 and a malloc'd buffer of
   width*height*3 bytes in *pixels (free it with wsimg_jpeg_free), or 0 and a reason in message.
   Images with a side over max_side are refused before any pixel buffer is allocated; so, returning 2
   with the header's size in *width and *height, are images whose size is not expected_width x
   expected_height (when those are not 0). */
static inline int wsimg_jpeg_decode_rgb(const unsigned char *data, unsigned long size, unsigned int max_side,
                                        unsigned int expected_width, unsigned int expected_height,
                                        unsigned char **pixels, unsigned int *width, unsigned int *height,
                                        char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    struct wsimg_jpeg_error error;
    unsigned char *volatile buffer = NULL;
    *pixels = NULL;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&error.base);
    error.base.error_exit = wsimg_jpeg_error_exit;
    error.base.output_message = wsimg_jpeg_ignore_message;
    error.message[0] = 0;
    if (setjmp(error.jump)) {
        snprintf(message, message_size, "%s", error.message);
        jpeg_destroy_decompress(&info);
        free(buffer);
        return 0;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, size);
    jpeg_read_header(&info, TRUE);
    if (info.image_width > max_side || info.image_height > max_side) {
        snprintf(message, message_size, "the JPEG claims %ux%u pixels, more than %u a side",
                 info.image_width, info.image_height, max_side);
        jpeg_destroy_decompress(&info);
        return 0;
    }
    if (expected_width != 0 && (info.image_width != expected_width || info.image_height != expected_height)) {
        *width = info.image_width;
        *height = info.image_height;
        jpeg_destroy_decompress(&info);
        return 2;
    }
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    size_t row_bytes = (size_t)info.output_width * 3;
    buffer = malloc(row_bytes * info.output_height);
    if (buffer == NULL) {
        snprintf(message, message_size, "out of memory");
        jpeg_destroy_decompress(&info);
        return 0;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = buffer + row_bytes * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    /* libjpeg pads a cut-off file with grey and only warns; a picture like that is not one to keep. */
    if (error.base.num_warnings > 0) {
        (*error.base.format_message)((j_common_ptr)&info, error.message);
        snprintf(message, message_size, "the JPEG is damaged or cut off (%s)", error.message);
        jpeg_destroy_decompress(&info);
        free(buffer);
        return 0;
    }
    *width = info.output_width;
    *height = info.output_height;
    jpeg_destroy_decompress(&info);
    *pixels = buffer;
    return 1;
}

static inline void wsimg_jpeg_free(unsigned char *pixels) { free(pixels); }

/* The libjpeg-turbo version built against, as major*1000000 + minor*1000 + patch (0 if unknown). */
static inline long wsimg_jpeg_turbo_version(void) {
#ifdef LIBJPEG_TURBO_VERSION_NUMBER
    return LIBJPEG_TURBO_VERSION_NUMBER;
#else
    return 0;
#endif
}
static inline int wsimg_jpeg_api_version(void) { return JPEG_LIB_VERSION; }

/* Encodes 8-bit RGB rows as a JPEG (for test fixtures: what the web app's server really returns). */
static inline int wsimg_jpeg_encode_rgb(const unsigned char *pixels, unsigned int width, unsigned int height,
                                        int quality, unsigned char **out, unsigned long *out_size) {
    struct jpeg_compress_struct info;
    struct wsimg_jpeg_error error;
    *out = NULL;
    *out_size = 0;
    memset(&info, 0, sizeof info);
    info.err = jpeg_std_error(&error.base);
    error.base.error_exit = wsimg_jpeg_error_exit;
    error.base.output_message = wsimg_jpeg_ignore_message;
    if (setjmp(error.jump)) {
        jpeg_destroy_compress(&info);
        return 0;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, out, out_size);
    info.image_width = width;
    info.image_height = height;
    info.input_components = 3;
    info.in_color_space = JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    while (info.next_scanline < info.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info.next_scanline * width * 3);
        jpeg_write_scanlines(&info, &row, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    return 1;
}

#endif
