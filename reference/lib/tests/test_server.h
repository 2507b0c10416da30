/*
 * test_server.h - helpers shared by the httpd and httpc unit tests: an
 * httpd on an ephemeral loopback port and a raw-socket exchange for
 * requests that libcurl will not send.
 */
#ifndef HITO_TEST_SERVER_H
#define HITO_TEST_SERVER_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "hito/httpd.h"

#define TEST_RAW_REPLY_MAX 65536
#define TEST_RAW_TIMEOUT_S 5

/* Starts srv on 127.0.0.1 with an ephemeral port; returns the port or -1. */
static inline int test_server_start(struct httpd *srv)
{
    struct hito_error err = {0, ""};

    if (httpd_start(srv, &err) != HITO_OK) {
        fprintf(stderr, "httpd_start: %s\n", err.message);
        return -1;
    }
    return httpd_port(srv);
}

/* Formats the URL of path on the test server into url. */
static inline void test_server_url(char *url, size_t size, int port, const char *path)
{
    snprintf(url, size, "http://127.0.0.1:%d%s", port, path);
}

/*
 * Sends request on a new connection and reads until the server closes it.
 * Returns the bytes read into reply (NUL-terminated), or -1 when the
 * connection failed or stayed open for TEST_RAW_TIMEOUT_S.
 */
static inline long test_raw_exchange(int port, const char *request, size_t request_len,
                                     char *reply, size_t size)
{
    struct sockaddr_in addr;
    struct timeval timeout = {TEST_RAW_TIMEOUT_S, 0};
    size_t used = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        close(fd);
        return -1;
    }
    /* A server that rejects early may close before the whole request is sent. */
    send(fd, request, request_len, MSG_NOSIGNAL);
    while (used + 1 < size) {
        ssize_t n = recv(fd, reply + used, size - used - 1, 0);

        if (n == 0)
            break;
        if (n < 0) {
            close(fd);
            return -1;
        }
        used += (size_t)n;
    }
    reply[used] = '\0';
    close(fd);
    return (long)used;
}

#endif
