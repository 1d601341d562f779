/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dvs_server.c: the other end of dvs_client.c, in the style of
 * docker-volume-vsphere's ESX-side VMCI server: listen on any context,
 * accept COUNT requests (MAGIC, length, NUL-terminated JSON), answer each
 * with a JSON reply that names the requesting context, and refuse a client
 * that is not on a privileged port. Part of the corpus of tests/lib/010
 * and 011.
 *
 *   dvs_server PORT COUNT
 *
 * matrix: gnu99 gnu11 gnu17
 */
#include <stdint.h>
#include <stdlib.h>

#include "vmci_sockets.h"

#define MAGIC 0xbadbeef
#define MAXBUF (1024 * 1024)
#define MAX_CLIENT_PORT 1023

static int
serve_one(int fd, unsigned int cid, unsigned int port)
{
   uint32_t b, len;
   char *msg, reply[256];

   if (recv(fd, &b, sizeof b, MSG_WAITALL) != sizeof b || b != MAGIC ||
       recv(fd, &len, sizeof len, MSG_WAITALL) != sizeof len || len == 0 || len > MAXBUF) {
      fprintf(stderr, "dvs_server: bad request header\n");
      return -1;
   }
   msg = malloc(len);
   if (!msg || recv(fd, msg, len, MSG_WAITALL) != (ssize_t)len || msg[len - 1] != '\0') {
      fprintf(stderr, "dvs_server: short request\n");
      free(msg);
      return -1;
   }
   printf("request from %u (port %s): %s\n", cid,
          port <= MAX_CLIENT_PORT ? "privileged" : "unprivileged", msg);
   free(msg);
   if (port > MAX_CLIENT_PORT) {
      snprintf(reply, sizeof reply, "{\"Error\": \"client port %u is not privileged\"}", port);
   } else {
      snprintf(reply, sizeof reply, "{\"Error\": \"\", \"Client\": %u}", cid);
   }
   b = MAGIC;
   len = (uint32_t)strlen(reply) + 1;
   if (send(fd, &b, sizeof b, 0) != sizeof b || send(fd, &len, sizeof len, 0) != sizeof len ||
       send(fd, reply, len, 0) != (ssize_t)len) {
      perror("dvs_server: send");
      return -1;
   }
   return 0;
}

int
main(int argc, char **argv)
{
   int vmciFd, af, sock, fd, count, i, ret = 0;
   struct sockaddr_vm addr;
   socklen_t addrLen;

   if (argc != 3) {
      fprintf(stderr, "usage: dvs_server PORT COUNT\n");
      return 2;
   }
   count = atoi(argv[2]);
   if ((af = VMCISock_GetAFValueFd(&vmciFd)) == -1) {
      fprintf(stderr, "dvs_server: no vSockets: %s\n", strerror(errno));
      return 1;
   }
   sock = socket(af, SOCK_STREAM, 0);
   memset(&addr, 0, sizeof addr);
   addr.svm_family = af;
   addr.svm_cid = VMADDR_CID_ANY;
   addr.svm_port = (unsigned int)atoi(argv[1]);
   if (sock == -1 || bind(sock, (struct sockaddr *)&addr, sizeof addr) == -1 ||
       listen(sock, 5) == -1) {
      fprintf(stderr, "dvs_server: listen: %s\n", strerror(errno));
      return 1;
   }
   printf("listening\n");
   fflush(stdout);
   for (i = 0; i < count; i++) {
      addrLen = sizeof addr;
      fd = accept(sock, (struct sockaddr *)&addr, &addrLen);
      if (fd == -1) {
         perror("dvs_server: accept");
         ret = 1;
         break;
      }
      ret |= serve_one(fd, addr.svm_cid, addr.svm_port) ? 1 : 0;
      close(fd);
      fflush(stdout);
   }
   close(sock);
   VMCISock_ReleaseAFValueFd(vmciFd);
   return ret;
}
