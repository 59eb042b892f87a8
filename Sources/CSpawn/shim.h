#ifndef HYBRIDBOT_CSPAWN_SHIM_H
#define HYBRIDBOT_CSPAWN_SHIM_H
#include <fcntl.h>
#include <spawn.h>

/* glibc declares these two only under _GNU_SOURCE, which Swift's Glibc module is built without.
   Both are in glibc's ABI: pipe2 since 2.9, posix_spawn_file_actions_addclosefrom_np since 2.34 (Debian 12 has 2.36). */
extern int pipe2(int pipefd[2], int flags);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/* A pipe whose two ends are close-on-exec from the moment they exist: no program another thread starts at the
   same instant can inherit them (pipe() followed by fcntl() leaves that window open). */
static inline int hb_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }

/* The spawned program closes every descriptor from `from` up before exec: it gets its three pipes and nothing
   of the bot's (listening socket, database files, driver sockets), whatever their close-on-exec flag. */
static inline int hb_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}
#endif
