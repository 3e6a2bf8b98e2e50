/* kiln — model.tar.gz: SageMaker's model artifact.
 *
 * SageMaker tars and gzips whatever the algorithm left in /opt/ml/model
 * into s3://.../output/model.tar.gz, with the files at the archive root
 * (`tar czvf model.tar.gz model_algo-1`).  kiln does the same with
 * libarchive: regular files only, sorted by name, mode 0644, owner 0/0,
 * the files' own modification times.
 *
 * Packing is atomic: the archive is written under a temporary name in the
 * destination's directory, fsync'ed, renamed over the destination, and the
 * directory fsync'ed, so a crash or an interrupt never leaves a
 * model.tar.gz that looks complete.
 *
 * Unpacking (a model brought by the user, %deploy) accepts regular files
 * and directories only; absolute paths, "..", links and device files are
 * refused (KILN_DATA naming the member), and the total size is capped.
 *
 * Threads: no shared state.
 */
#ifndef KILN_PLATFORM_ARTIFACT_H
#define KILN_PLATFORM_ARTIFACT_H

#include "core/cancel.h"
#include "core/error.h"

#include <stddef.h>

/* Pack every regular file directly in dir (subdirectories recursively,
 * as relative paths) into the gzip-compressed tar `dest`. */
int kiln_artifact_pack(const char *dir, const char *dest, kiln_error *err);

/* Unpack the tar (gzip or not) `src` into the existing directory dir. */
int kiln_artifact_unpack(const char *src, const char *dir, kiln_error *err);

/* Make a new empty directory under parent with a unique name starting
 * with prefix; its path in out (size bytes). */
int kiln_artifact_tempdir(const char *parent, const char *prefix, char *out,
                          size_t size, kiln_error *err);

/* mkdir -p: path and its missing parents (0777 less the umask). */
int kiln_artifact_mkdirs(const char *path, kiln_error *err);

/* Remove dir and everything below it (no symlinks followed).  Errors are
 * ignored: used for cleanup. */
void kiln_artifact_rmtree(const char *dir);

#endif
