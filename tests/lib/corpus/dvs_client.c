/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dvs_client.c: a client in the style of docker-volume-vsphere's VMCI
 * client: a table of communication backends, a socket bound to a
 * privileged port (round robin from 1000 to 1023) on VMCISock_GetLocalCID(),
 * then a request framed as MAGIC, length and a NUL-terminated JSON string,
 * and the reply framed the same way. It relies on vmci_sockets.h for
 * strcmp(), memset(), strerror(), close() and strnlen(). Part of the corpus
 * of tests/lib/010 and 011.
 *
 *   dvs_client CID PORT JSON
 *
 * matrix: gnu99 gnu11 gnu17     (strnlen() and strdup() are POSIX, not ISO C)
 */
#include <stdint.h>
#include <stdlib.h>

#include "vmci_sockets.h"

#define MAGIC 0xbadbeef
#define MAXBUF (1024 * 1024)     // we do not expect a JSON string over 1M
#define START_CLIENT_PORT 1000
#define MAX_CLIENT_PORT 1023
#define BIND_RETRY_COUNT (MAX_CLIENT_PORT - START_CLIENT_PORT)

typedef int be_sock_status;      // 0 is OK
#define CONN_SUCCESS 0
#define CONN_FAILURE -1

typedef struct {
   int sock_id;
   struct sockaddr_vm addr;
} be_sock_id;

typedef struct {
   uint32_t mlen;      // length of message (including trailing \0)
   const char *msg;
} be_request;

typedef struct {
   char *buf;          // calloced, so needs to be free()d
} be_answer;

typedef struct be_funcs {
   const char *shortName;
   const char *name;
   be_sock_status (*init_sock)(be_sock_id *id, int cid, int port);
   void (*release_sock)(be_sock_id *id);
   be_sock_status (*get_reply)(be_sock_id *id, be_request *r, be_answer *a);
} be_funcs;

static be_sock_status
vsock_init(be_sock_id *id, int cid, int port)
{
   static int round_robin = START_CLIENT_PORT;
   int af, sock, ret = -1;
   int retryCount = 0;

   if ((af = VMCISock_GetAFValue()) == -1) {
      return CONN_FAILURE;
   }
   sock = socket(af, SOCK_STREAM, 0);
   if (sock == -1) {
      return CONN_FAILURE;
   }
   id->sock_id = sock;
   memset(&id->addr, 0, sizeof id->addr);
   id->addr.svm_family = af;
   id->addr.svm_cid = VMCISock_GetLocalCID();

   while (retryCount++ < BIND_RETRY_COUNT) {
      id->addr.svm_port = round_robin;
      round_robin = round_robin == MAX_CLIENT_PORT ? START_CLIENT_PORT : round_robin + 1;
      ret = bind(sock, (const struct sockaddr *)&id->addr, sizeof id->addr);
      if (ret == 0) {
         break;
      }
   }
   if (ret != 0) {
      int old_errno = errno;
      close(sock);
      errno = old_errno;
      return CONN_FAILURE;
   }

   memset(&id->addr, 0, sizeof id->addr);
   id->addr.svm_family = af;
   id->addr.svm_cid = cid;
   id->addr.svm_port = port;
   if (connect(sock, (const struct sockaddr *)&id->addr, sizeof id->addr) != 0) {
      int old_errno = errno;
      close(sock);
      errno = old_errno;
      return CONN_FAILURE;
   }
   return CONN_SUCCESS;
}

static be_sock_status
vsock_get_reply(be_sock_id *s, be_request *r, be_answer *a)
{
   uint32_t b = MAGIC;
   ssize_t ret;

   if (send(s->sock_id, &b, sizeof b, 0) != sizeof b ||
       send(s->sock_id, &r->mlen, sizeof r->mlen, 0) != sizeof r->mlen ||
       send(s->sock_id, r->msg, r->mlen, 0) != (ssize_t)r->mlen) {
      return CONN_FAILURE;
   }
   b = 0;
   if (recv(s->sock_id, &b, sizeof b, MSG_WAITALL) != sizeof b) {
      return CONN_FAILURE;
   }
   if (b != MAGIC) {
      fprintf(stderr, "Wrong magic: got 0x%x expected 0x%x\n", b, MAGIC);
      errno = EBADMSG;
      return CONN_FAILURE;
   }
   if (recv(s->sock_id, &b, sizeof b, MSG_WAITALL) != sizeof b || b == 0 || b > MAXBUF) {
      fprintf(stderr, "Failed to receive len: %s\n", strerror(errno));
      return CONN_FAILURE;
   }
   a->buf = calloc(1, b);
   if (!a->buf) {
      return CONN_FAILURE;
   }
   ret = recv(s->sock_id, a->buf, b, MSG_WAITALL);
   if (ret != (ssize_t)b || a->buf[b - 1] != '\0') {
      free(a->buf);
      a->buf = NULL;
      return CONN_FAILURE;
   }
   return CONN_SUCCESS;
}

static void
vsock_release(be_sock_id *id)
{
   close(id->sock_id);
}

static be_sock_status dummy_init(be_sock_id *id, int cid, int port)
{
   (void)id; (void)cid; (void)port;
   return CONN_SUCCESS;
}

static void dummy_release(be_sock_id *id)
{
   (void)id;
}

static be_sock_status dummy_get_reply(be_sock_id *id, be_request *r, be_answer *a)
{
   (void)id; (void)r;
   a->buf = strdup("none");
   return CONN_SUCCESS;
}

static be_funcs backends[] = {
   { "vsocket", "vSocket Communication Backend", vsock_init, vsock_release, vsock_get_reply },
   { "dummy", "Dummy Communication Backend", dummy_init, dummy_release, dummy_get_reply },
   { 0 },
};

static be_funcs *
get_backend(const char *shortName)
{
   be_funcs *be;

   for (be = backends; be->shortName; be++) {
      if (strcmp(shortName, be->shortName) == 0) {
         return be;
      }
   }
   return NULL;
}

int
main(int argc, char **argv)
{
   be_funcs *be = get_backend("vsocket");
   be_request req;
   be_answer ans;
   be_sock_id id;

   if (argc != 4) {
      fprintf(stderr, "usage: dvs_client CID PORT JSON\n");
      return 2;
   }
   req.mlen = strnlen(argv[3], MAXBUF) + 1;
   req.msg = argv[3];
   if (be->init_sock(&id, atoi(argv[1]), atoi(argv[2])) != CONN_SUCCESS) {
      fprintf(stderr, "dvs_client: connect: %s\n", strerror(errno));
      return 1;
   }
   if (be->get_reply(&id, &req, &ans) != CONN_SUCCESS) {
      fprintf(stderr, "dvs_client: request: %s\n", strerror(errno));
      be->release_sock(&id);
      return 1;
   }
   be->release_sock(&id);
   printf("reply: %s\n", ans.buf);
   free(ans.buf);
   return 0;
}
