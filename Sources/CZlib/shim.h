#ifndef AOMI_CZLIB_SHIM_H
#define AOMI_CZLIB_SHIM_H

#include <zlib.h>

/// `deflateInit2` and `inflateInit2` are macros, which Swift cannot call; these wrap them.
static inline int czlib_deflateInit2(z_streamp stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

static inline int czlib_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

#endif
