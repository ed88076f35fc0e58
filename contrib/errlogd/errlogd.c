/* errlogd: a central error-log collector run as an inetd "wait" UDP service.
 *
 *   errlogd LOGFILE [IDLE_SECONDS]
 *
 * activatord (or any inetd) starts it on the first datagram with the bound UDP
 * socket on stdin (inetd "wait", StandardInput=socket), or on fd 3 when started
 * with LISTEN_FDS/LISTEN_PID (systemd protocol). Every datagram is appended to
 * LOGFILE as one line "SOURCE-ADDRESS message". The datagrams that arrived while
 * it was starting are still queued on the socket, so nothing is lost. After
 * IDLE_SECONDS (default 30) without traffic it exits; the activator then polls
 * the socket again and starts a new errlogd on the next datagram.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int listen_fd(void)
{
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    if (pid && fds && atoi(pid) == (int)getpid() && atoi(fds) >= 1)
        return 3;
    return 0;
}

static void source_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
    if (ss->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out, len);
    else if (ss->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, out, len);
    else
        snprintf(out, len, "local");
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "errlog.log";
    int idle = argc > 2 ? atoi(argv[2]) : 30;
    int sock = listen_fd();
    int out = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out < 0) {
        perror(path);
        return 2;
    }
    static char buf[65536 + INET6_ADDRSTRLEN + 4];
    for (;;) {
        struct pollfd p = {.fd = sock, .events = POLLIN};
        int r = poll(&p, 1, idle * 1000);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof from;
        char src[INET6_ADDRSTRLEN];
        char msg[65536];
        ssize_t n = recvfrom(sock, msg, sizeof msg - 1, MSG_DONTWAIT,
                             (struct sockaddr *)&from, &fromlen);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            break;
        }
        while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\0'))
            n--;
        msg[n] = '\0';
        source_text(&from, src, sizeof src);
        int len = snprintf(buf, sizeof buf, "%s %s\n", src, msg);
        /* One write() per line: O_APPEND keeps lines whole across processes. */
        if (write(out, buf, (size_t)len) < 0)
            return 3;
    }
    return 0;
}
