#include "lines.h"

#include <string.h>

int lines_next(const char **cursor, char *line, size_t size)
{
    const char *p = *cursor;
    const char *end;
    size_t len;

    if (*p == '\0')
        return 0;
    end = strchr(p, '\n');
    len = end != NULL ? (size_t)(end - p) : strlen(p);
    *cursor = p + len + (end != NULL);
    if (len >= size)
        return -1;
    memcpy(line, p, len);
    line[len] = '\0';
    if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
    return 1;
}

int lines_skip(const char *line)
{
    return line[0] == '\0' || line[0] == '#';
}
