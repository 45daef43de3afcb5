#ifndef AOMI_CLIBPQ_SHIM_H
#define AOMI_CLIBPQ_SHIM_H

#include <libpq-fe.h>

#endif
