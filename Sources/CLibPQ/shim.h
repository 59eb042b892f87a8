#ifndef HYBRIDBOT_CLIBPQ_SHIM_H
#define HYBRIDBOT_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
