// SPDX-License-Identifier: GPL-2.0-only
//
// asio_style_vmci.cpp: C++ in the style of asio: a socket_ops namespace
// whose setsockopt()/getsockopt() take seven arguments (socket, state,
// level, name, value, length, error) and call the C library's, option
// classes with level()/name()/data()/size() templated on the protocol, a
// protocol whose family() is VMCISock_GetAFValue(), and an endpoint over
// struct sockaddr_vm. It connects to itself through CID:PORT, sets
// VMware's options through the wrappers and reads them back. Part of the
// corpus of tests/lib/010 and 011.
//
//   asio_style_vmci CID PORT
//
// matrix: c++98 c++03 c++11 c++14 c++17 c++20

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "vmci_sockets.h"

namespace vmci_asio {

namespace socket_ops {

typedef unsigned char state_type;
enum { user_set_linger = 1, stream_oriented = 2 };

template <typename ReturnType>
inline ReturnType error_wrapper(ReturnType return_value, int& ec)
{
  ec = return_value < 0 ? errno : 0;
  return return_value;
}

inline int socket(int af, int type, int protocol, int& ec)
{
  return error_wrapper(::socket(af, type, protocol), ec);
}

inline int setsockopt(int s, state_type& state, int level, int optname,
    const void* optval, std::size_t optlen, int& ec)
{
  if (s < 0)
  {
    ec = EBADF;
    return -1;
  }
  if (level == SOL_SOCKET && optname == SO_LINGER)
    state |= user_set_linger;
  return error_wrapper(::setsockopt(s, level, optname, optval,
        static_cast<socklen_t>(optlen)), ec);
}

inline int getsockopt(int s, state_type state, int level, int optname,
    void* optval, std::size_t* optlen, int& ec)
{
  (void)state;
  socklen_t len = static_cast<socklen_t>(*optlen);
  int result = error_wrapper(::getsockopt(s, level, optname, optval, &len), ec);
  *optlen = static_cast<std::size_t>(len);
  return result;
}

} // namespace socket_ops

class stream_protocol
{
public:
  int family() const { return VMCISock_GetAFValue(); }
  int type() const { return SOCK_STREAM; }
  int protocol() const { return 0; }
};

template <typename Protocol>
class basic_endpoint
{
public:
  basic_endpoint(unsigned int cid, unsigned int port)
  {
    std::memset(&data_, 0, sizeof(data_));
    data_.svm_family = static_cast<sa_family_t>(Protocol().family());
    data_.svm_cid = cid;
    data_.svm_port = port;
  }
  sockaddr* data() { return reinterpret_cast<sockaddr*>(&data_); }
  socklen_t size() const { return sizeof(data_); }
  unsigned int cid() const { return data_.svm_cid; }

private:
  sockaddr_vm data_;
};

namespace socket_option {

template <int Name>
class buffer
{
public:
  buffer() : value_(0) {}
  explicit buffer(std::size_t v) : value_(v) {}
  template <typename Protocol> int level(const Protocol& p) const { return p.family(); }
  template <typename Protocol> int name(const Protocol&) const { return Name; }
  template <typename Protocol> void* data(const Protocol&) { return &value_; }
  template <typename Protocol> const void* data(const Protocol&) const { return &value_; }
  template <typename Protocol> std::size_t size(const Protocol&) const { return sizeof(value_); }
  std::size_t value() const { return value_; }

private:
  std::size_t value_;   // 64 bits, as the option wants (LP64)
};

} // namespace socket_option

typedef socket_option::buffer<SO_VMCI_BUFFER_SIZE> buffer_size;
typedef socket_option::buffer<SO_VMCI_BUFFER_MIN_SIZE> buffer_min_size;
typedef socket_option::buffer<SO_VMCI_BUFFER_MAX_SIZE> buffer_max_size;

template <typename Protocol>
class basic_socket
{
public:
  explicit basic_socket(int& ec) : state_(socket_ops::stream_oriented)
  {
    fd_ = socket_ops::socket(protocol_.family(), protocol_.type(),
        protocol_.protocol(), ec);
  }
  basic_socket(int fd, socket_ops::state_type state) : fd_(fd), state_(state) {}
  ~basic_socket() { if (fd_ >= 0) ::close(fd_); }

  template <typename Option>
  int set_option(const Option& option, int& ec)
  {
    return socket_ops::setsockopt(fd_, state_, option.level(protocol_),
        option.name(protocol_), option.data(protocol_), option.size(protocol_), ec);
  }
  template <typename Option>
  int get_option(Option& option, int& ec) const
  {
    std::size_t size = option.size(protocol_);
    return socket_ops::getsockopt(fd_, state_, option.level(protocol_),
        option.name(protocol_), option.data(protocol_), &size, ec);
  }
  int native_handle() const { return fd_; }

private:
  Protocol protocol_;
  int fd_;
  socket_ops::state_type state_;
};

} // namespace vmci_asio

int main(int argc, char** argv)
{
  using namespace vmci_asio;
  if (argc != 3)
  {
    std::fprintf(stderr, "usage: asio_style_vmci CID PORT\n");
    return 2;
  }
  int ec = 0;
  unsigned int cid = static_cast<unsigned int>(std::strtoul(argv[1], 0, 10));
  unsigned int port = static_cast<unsigned int>(std::strtoul(argv[2], 0, 10));

  basic_socket<stream_protocol> acceptor(ec);
  if (ec)
  {
    std::fprintf(stderr, "asio_style_vmci: socket: %s\n", std::strerror(ec));
    return 1;
  }
  basic_endpoint<stream_protocol> any(VMADDR_CID_ANY, port), peer(cid, port);
  if (::bind(acceptor.native_handle(), any.data(), any.size()) != 0
      || ::listen(acceptor.native_handle(), 1) != 0)
  {
    std::perror("bind/listen");
    return 1;
  }

  basic_socket<stream_protocol> client(ec);
  client.set_option(buffer_max_size(262144), ec);
  if (!ec) client.set_option(buffer_min_size(65536), ec);
  if (!ec) client.set_option(buffer_size(131072), ec);
  if (ec)
  {
    std::fprintf(stderr, "asio_style_vmci: set_option: %s\n", std::strerror(ec));
    return 1;
  }
  if (::connect(client.native_handle(), peer.data(), peer.size()) != 0)
  {
    std::perror("connect");
    return 1;
  }
  basic_socket<stream_protocol> server(::accept(acceptor.native_handle(), 0, 0),
      socket_ops::stream_oriented);

  buffer_size size;
  buffer_min_size min;
  buffer_max_size max;
  client.get_option(size, ec);
  client.get_option(min, ec);
  client.get_option(max, ec);
  std::printf("socket_ops::setsockopt/getsockopt: buffer %lu/%lu/%lu\n",
      static_cast<unsigned long>(size.value()), static_cast<unsigned long>(min.value()),
      static_cast<unsigned long>(max.value()));

  // VMware's option on a stream socket that Linux lacks: an error, not another option.
  socket_option::buffer<SO_VMCI_DISCONNECT_CAUSE> cause;
  int cause_ec = 0;
  client.get_option(cause, cause_ec);
  std::printf("SO_VMCI_DISCONNECT_CAUSE: %s\n", std::strerror(cause_ec));

  const char msg[] = "asio";
  char got[sizeof(msg)] = "";
  bool ok = ::send(client.native_handle(), msg, sizeof(msg), 0) == static_cast<ssize_t>(sizeof(msg))
      && ::recv(server.native_handle(), got, sizeof(got), MSG_WAITALL) == static_cast<ssize_t>(sizeof(msg))
      && std::strcmp(got, msg) == 0 && size.value() == 131072 && min.value() == 65536
      && max.value() == 262144 && cause_ec == ENOPROTOOPT;
  std::printf("message %s\n", ok ? "through" : "LOST");
  return ok ? 0 : 1;
}
