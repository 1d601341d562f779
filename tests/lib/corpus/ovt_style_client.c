/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ovt_style_client.c: a client in the style of open-vm-tools' socket code
 * (3-space indent, Bool, a Debug() macro): the family from
 * VMCISock_GetAFValueFd(), a privileged local port searched downward from
 * 1023 when asked (root only: the host trusts such ports), connect retried
 * with usleep() while the peer is busy, VMCISock_ReleaseAFValueFd() at the
 * end. It relies on vmci_sockets.h for close(), usleep(), memset(),
 * strerror() and printf(). Part of the corpus of tests/lib/010 and 011.
 *
 *   ovt_style_client CID PORT [priv]
 *
 * matrix: gnu99 gnu11 gnu17     (usleep() is not ISO C)
 */
#include <stdlib.h>

#include "vmci_sockets.h"

typedef char Bool;
#define TRUE  1
#define FALSE 0

#define PRIVILEGED_PORT_MAX 1023
#define PRIVILEGED_PORT_MIN 1
#define CONNECT_RETRIES     10
#define RETRY_DELAY_US      100000

#define Debug(...) fprintf(stderr, __VA_ARGS__)

static int
SocketConnectVmci(unsigned int cid,        // IN
                  unsigned int port,       // IN
                  Bool isPriv,             // IN
                  int *outVsockDev)        // OUT
{
   struct sockaddr_vm addr;
   unsigned int localPort;
   int family, fd, retries;

   family = VMCISock_GetAFValueFd(outVsockDev);
   if (family < 0) {
      Debug("Couldn't get VMCI socket family info: %s\n", strerror(errno));
      return -1;
   }

   memset(&addr, 0, sizeof addr);
   addr.svm_family = family;

   fd = socket(addr.svm_family, SOCK_STREAM, 0);
   if (fd < 0) {
      Debug("Couldn't create vsock socket: %s\n", strerror(errno));
      return -1;
   }

   if (isPriv) {
      addr.svm_cid = VMADDR_CID_ANY;
      for (localPort = PRIVILEGED_PORT_MAX; localPort >= PRIVILEGED_PORT_MIN;
           localPort--) {
         addr.svm_port = localPort;
         if (bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
            break;
         }
         if (errno != EADDRINUSE) {
            Debug("Couldn't bind to privileged port %u: %s\n", localPort,
                  strerror(errno));
            close(fd);
            return -1;
         }
      }
      Debug("Bound to privileged port %u\n", localPort);
   }

   addr.svm_cid = cid;
   addr.svm_port = port;
   for (retries = 0; ; retries++) {
      if (connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0) {
         return fd;
      }
      if ((errno != EINTR && errno != ECONNRESET && errno != ETIMEDOUT) ||
          retries == CONNECT_RETRIES) {
         break;
      }
      usleep(RETRY_DELAY_US);
   }
   Debug("Couldn't connect to %u:%u: %s\n", cid, port, strerror(errno));
   close(fd);
   return -1;
}

int
main(int argc, char **argv)
{
   static const char request[] = "reset\n";
   char reply[sizeof request];
   int vsockDev = -1;
   int fd;
   ssize_t got = 0, n;

   if (argc < 3) {
      fprintf(stderr, "usage: ovt_style_client CID PORT [priv]\n");
      return 2;
   }
   fd = SocketConnectVmci(strtoul(argv[1], NULL, 10), strtoul(argv[2], NULL, 10),
                          argc > 3 && strcmp(argv[3], "priv") == 0, &vsockDev);
   if (fd < 0) {
      VMCISock_ReleaseAFValueFd(vsockDev);
      return 1;
   }
   if (send(fd, request, sizeof request - 1, 0) != sizeof request - 1) {
      Debug("send: %s\n", strerror(errno));
      return 1;
   }
   while (got < (ssize_t)sizeof request - 1 &&
          (n = recv(fd, reply + got, sizeof request - 1 - got, 0)) > 0) {
      got += n;
   }
   reply[got] = '\0';
   printf("reply: %s", reply);
   close(fd);
   VMCISock_ReleaseAFValueFd(vsockDev);
   return got == sizeof request - 1 ? 0 : 1;
}
