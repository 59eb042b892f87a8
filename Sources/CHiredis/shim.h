#ifndef HYBRIDBOT_CHIREDIS_SHIM_H
#define HYBRIDBOT_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
/* redisCommand is variadic and builds a command string: we only ever use redisCommandArgv. */
#endif
