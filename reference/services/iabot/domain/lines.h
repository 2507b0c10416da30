/*
 * lines.h - reads the line-based text forms of the domain (datasets,
 * catalogues) from a NUL-terminated buffer.
 */
#ifndef IABOT_LINES_H
#define IABOT_LINES_H

#include <stddef.h>

/*
 * Copies the next line of *cursor into line (size bytes, NUL-terminated),
 * without its LF or CR LF, and advances *cursor past it. Returns 1 for a
 * line, 0 at the end of the buffer, -1 when the line needs size bytes or
 * more (the cursor still moves past it).
 */
int lines_next(const char **cursor, char *line, size_t size);

/* Returns nonzero for a blank line or a '#' comment. */
int lines_skip(const char *line);

#endif
