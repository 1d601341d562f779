// SPDX-License-Identifier: GPL-2.0-only
//
// zmq_style_vmci.cpp: C++ in the style of libzmq's VMCI transport: a
// socket_base_t whose own setsockopt()/getsockopt() members take three
// arguments (option, value, length) and store transport options, free
// functions that tune a descriptor with the C library's ::setsockopt() at
// level afVMCI (buffer sizes, connect timeout), and a vmci_address_t that
// resolves "CID:PORT". It connects to itself through CID:PORT and checks
// that every option reached the socket. Part of the corpus of tests/lib/010
// and 011.
//
//   zmq_style_vmci CID PORT
//
// matrix: c++98 c++03 c++11 c++14 c++17 c++20

#include <stdint.h>
#include <stdlib.h>

#include <string>

#include "vmci_sockets.h"

namespace zmq
{
typedef int fd_t;

enum
{
    ZMQ_VMCI_BUFFER_SIZE = 86,
    ZMQ_VMCI_BUFFER_MIN_SIZE = 87,
    ZMQ_VMCI_BUFFER_MAX_SIZE = 88,
    ZMQ_VMCI_CONNECT_TIMEOUT = 89
};

int get_vmci_socket_family ()
{
    static int family = -1;
    if (family == -1)
        family = VMCISock_GetAFValue ();
    return family;
}

struct options_t
{
    options_t () :
        vmci_buffer_size (0),
        vmci_buffer_min_size (0),
        vmci_buffer_max_size (0),
        vmci_connect_timeout (-1)
    {
    }
    uint64_t vmci_buffer_size;
    uint64_t vmci_buffer_min_size;
    uint64_t vmci_buffer_max_size;
    int vmci_connect_timeout;
};

class socket_base_t
{
  public:
    //  The socket's own options: three arguments, no level.
    int setsockopt (int option_, const void *optval_, size_t optvallen_)
    {
        if (option_ == ZMQ_VMCI_CONNECT_TIMEOUT && optvallen_ == sizeof (int)) {
            memcpy (&options.vmci_connect_timeout, optval_, optvallen_);
            return 0;
        }
        uint64_t *dest = option_ == ZMQ_VMCI_BUFFER_SIZE ? &options.vmci_buffer_size
                       : option_ == ZMQ_VMCI_BUFFER_MIN_SIZE ? &options.vmci_buffer_min_size
                       : option_ == ZMQ_VMCI_BUFFER_MAX_SIZE ? &options.vmci_buffer_max_size
                       : NULL;
        if (!dest || optvallen_ != sizeof (uint64_t)) {
            errno = EINVAL;
            return -1;
        }
        memcpy (dest, optval_, optvallen_);
        return 0;
    }
    int getsockopt (int option_, void *optval_, size_t *optvallen_) const
    {
        if (option_ != ZMQ_VMCI_BUFFER_SIZE || *optvallen_ < sizeof (uint64_t)) {
            errno = EINVAL;
            return -1;
        }
        memcpy (optval_, &options.vmci_buffer_size, sizeof (uint64_t));
        *optvallen_ = sizeof (uint64_t);
        return 0;
    }
    options_t options;
};

void tune_vmci_buffers (fd_t sockfd_, uint64_t bufsize_, uint64_t minsize_,
                        uint64_t maxsize_)
{
    int family = get_vmci_socket_family ();
    if (maxsize_ != 0)
        if (::setsockopt (sockfd_, family, SO_VMCI_BUFFER_MAX_SIZE, &maxsize_,
                          sizeof maxsize_) != 0)
            perror ("setsockopt SO_VMCI_BUFFER_MAX_SIZE"), exit (1);
    if (minsize_ != 0)
        if (::setsockopt (sockfd_, family, SO_VMCI_BUFFER_MIN_SIZE, &minsize_,
                          sizeof minsize_) != 0)
            perror ("setsockopt SO_VMCI_BUFFER_MIN_SIZE"), exit (1);
    if (bufsize_ != 0)
        if (::setsockopt (sockfd_, family, SO_VMCI_BUFFER_SIZE, &bufsize_,
                          sizeof bufsize_) != 0)
            perror ("setsockopt SO_VMCI_BUFFER_SIZE"), exit (1);
}

void tune_vmci_connect_timeout (fd_t sockfd_, struct timeval timeout_)
{
    if (::setsockopt (sockfd_, get_vmci_socket_family (), SO_VMCI_CONNECT_TIMEOUT,
                      &timeout_, sizeof timeout_) != 0)
        perror ("setsockopt SO_VMCI_CONNECT_TIMEOUT"), exit (1);
}

class vmci_address_t
{
  public:
    vmci_address_t () { memset (&address, 0, sizeof address); }
    //  "CID:PORT", '*' for any.
    int resolve (const char *path_)
    {
        std::string addr_str (path_);
        std::string::size_type delim = addr_str.find (':');
        if (delim == std::string::npos) {
            errno = EINVAL;
            return -1;
        }
        std::string cid_str = addr_str.substr (0, delim);
        std::string port_str = addr_str.substr (delim + 1);
        address.svm_family = static_cast<sa_family_t> (get_vmci_socket_family ());
        address.svm_cid = cid_str == "*" ? VMADDR_CID_ANY
                                         : static_cast<unsigned int> (strtoul (cid_str.c_str (), NULL, 10));
        address.svm_port = port_str == "*" ? VMADDR_PORT_ANY
                                           : static_cast<unsigned int> (strtoul (port_str.c_str (), NULL, 10));
        return 0;
    }
    const sockaddr *addr () const { return reinterpret_cast<const sockaddr *> (&address); }
    socklen_t addrlen () const { return static_cast<socklen_t> (sizeof address); }

  private:
    struct sockaddr_vm address;
};
}

static uint64_t read_option (int fd, int name)
{
    uint64_t val = 0;
    socklen_t len = sizeof val;
    if (::getsockopt (fd, zmq::get_vmci_socket_family (), name, &val, &len) != 0)
        return 0;
    return val;
}

int main (int argc, char **argv)
{
    if (argc != 3) {
        fprintf (stderr, "usage: zmq_style_vmci CID PORT\n");
        return 2;
    }
    int family = zmq::get_vmci_socket_family ();
    if (family == -1) {
        fprintf (stderr, "zmq_style_vmci: %s\n", strerror (errno));
        return 1;
    }

    zmq::socket_base_t socket;
    uint64_t size = 131072, min = 32768, max = 262144;
    int timeout_ms = 5000;
    size_t len = sizeof size;
    socket.setsockopt (zmq::ZMQ_VMCI_BUFFER_MAX_SIZE, &max, sizeof max);
    socket.setsockopt (zmq::ZMQ_VMCI_BUFFER_MIN_SIZE, &min, sizeof min);
    socket.setsockopt (zmq::ZMQ_VMCI_BUFFER_SIZE, &size, sizeof size);
    socket.setsockopt (zmq::ZMQ_VMCI_CONNECT_TIMEOUT, &timeout_ms, sizeof timeout_ms);
    uint64_t stored = 0;
    socket.getsockopt (zmq::ZMQ_VMCI_BUFFER_SIZE, &stored, &len);
    printf ("member setsockopt/getsockopt: buffer size %lu\n",
            static_cast<unsigned long> (stored));

    std::string listen_at = std::string ("*:") + argv[2];
    std::string connect_to = std::string (argv[1]) + ":" + argv[2];
    zmq::vmci_address_t local, remote;
    local.resolve (listen_at.c_str ());
    remote.resolve (connect_to.c_str ());

    zmq::fd_t listener = ::socket (family, SOCK_STREAM, 0);
    zmq::tune_vmci_buffers (listener, socket.options.vmci_buffer_size,
                            socket.options.vmci_buffer_min_size,
                            socket.options.vmci_buffer_max_size);
    if (::bind (listener, local.addr (), local.addrlen ()) != 0 || ::listen (listener, 1) != 0) {
        perror ("bind/listen");
        return 1;
    }
    zmq::fd_t s = ::socket (family, SOCK_STREAM, 0);
    zmq::tune_vmci_buffers (s, socket.options.vmci_buffer_size,
                            socket.options.vmci_buffer_min_size,
                            socket.options.vmci_buffer_max_size);
    struct timeval tv;
    tv.tv_sec = socket.options.vmci_connect_timeout / 1000;
    tv.tv_usec = (socket.options.vmci_connect_timeout % 1000) * 1000;
    zmq::tune_vmci_connect_timeout (s, tv);
    if (::connect (s, remote.addr (), remote.addrlen ()) != 0) {
        perror ("connect");
        return 1;
    }
    zmq::fd_t peer = ::accept (listener, NULL, NULL);
    const char msg[] = "ZMTP";
    char got[sizeof msg] = "";
    if (peer < 0 || ::send (s, msg, sizeof msg, 0) != static_cast<ssize_t> (sizeof msg)
        || ::recv (peer, got, sizeof got, MSG_WAITALL) != static_cast<ssize_t> (sizeof msg)) {
        perror ("send/recv");
        return 1;
    }
    struct timeval back;
    socklen_t back_len = sizeof back;
    ::getsockopt (s, family, SO_VMCI_CONNECT_TIMEOUT, &back, &back_len);
    bool ok = strcmp (got, msg) == 0 && read_option (s, SO_VMCI_BUFFER_SIZE) == size
              && read_option (s, SO_VMCI_BUFFER_MIN_SIZE) == min
              && read_option (s, SO_VMCI_BUFFER_MAX_SIZE) == max && back.tv_sec == 5;
    printf ("::setsockopt at level afVMCI: buffer %lu/%lu/%lu, connect timeout %ld s, "
            "message %s\n",
            static_cast<unsigned long> (read_option (s, SO_VMCI_BUFFER_SIZE)),
            static_cast<unsigned long> (read_option (s, SO_VMCI_BUFFER_MIN_SIZE)),
            static_cast<unsigned long> (read_option (s, SO_VMCI_BUFFER_MAX_SIZE)),
            static_cast<long> (back.tv_sec), ok ? "through" : "LOST");
    close (peer);
    close (s);
    close (listener);
    return ok ? 0 : 1;
}
