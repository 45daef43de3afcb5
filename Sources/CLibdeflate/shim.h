#ifndef AOMI_CLIBDEFLATE_SHIM_H
#define AOMI_CLIBDEFLATE_SHIM_H

#include <libdeflate.h>

#endif
