// SPDX-License-Identifier: GPL-2.0-only
/*
 * fs_pattern: a reproducible pseudo-random byte stream for transfer tests.
 *
 *   fs_pattern gen SIZE [SEED] [CHUNK]   write SIZE bytes to stdout in
 *                                        write()s of CHUNK bytes (65536)
 *   fs_pattern check SIZE [SEED]         read stdin, verify every byte;
 *                                        prints "ok SIZE bytes" or where
 *                                        the first difference is
 *
 * Byte i depends on i and SEED, so a reordered, lost or repeated piece is
 * found at its offset, which a checksum cannot tell. SIZE takes K, M, G.
 * No sockets: safe anywhere.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint64_t word_at(uint64_t i, uint64_t seed)
{
	/* splitmix64 of the word index: random access, fast enough. */
	uint64_t z = i * 0x9e3779b97f4a7c15ULL + seed;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fill(unsigned char *buf, uint64_t off, size_t len, uint64_t seed)
{
	for (size_t k = 0; k < len;) {
		uint64_t pos = off + k, w = word_at(pos / 8, seed);
		unsigned int b = pos % 8;

		for (; b < 8 && k < len; b++, k++)
			buf[k] = (unsigned char)(w >> (8 * b));
	}
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	switch (*end) {
	case 'G':
		v <<= 10;
		/* fall through */
	case 'M':
		v <<= 10;
		/* fall through */
	case 'K':
		v <<= 10;
		break;
	case 0:
		break;
	default:
		fprintf(stderr, "fs_pattern: bad size '%s'\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static unsigned char buf[1 << 20], want[1 << 20];
	uint64_t size, seed, off = 0;
	size_t chunk = 65536;

	if (argc < 3) {
		fprintf(stderr, "usage: fs_pattern gen|check SIZE [SEED] [CHUNK]\n");
		return 2;
	}
	size = parse_size(argv[2]);
	seed = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
	if (argc > 4)
		chunk = parse_size(argv[4]);
	if (chunk == 0 || chunk > sizeof(buf))
		chunk = sizeof(buf);
	if (strcmp(argv[1], "gen") == 0) {
		while (off < size) {
			size_t n = size - off < chunk ? size - off : chunk;
			ssize_t w;

			fill(buf, off, n, seed);
			for (size_t done = 0; done < n; done += w) {
				w = write(1, buf + done, n - done);
				if (w < 0) {
					fprintf(stderr, "fs_pattern: write at %llu: %s\n",
						(unsigned long long)(off + done), strerror(errno));
					return 1;
				}
			}
			off += n;
		}
		return 0;
	}
	for (;;) {
		ssize_t n = read(0, buf, sizeof(buf));

		if (n < 0) {
			printf("read error at %llu: %s\n", (unsigned long long)off,
			       strerror(errno));
			return 1;
		}
		if (n == 0)
			break;
		if (off + n > size) {
			printf("too much data: more than %llu bytes\n",
			       (unsigned long long)size);
			return 1;
		}
		fill(want, off, n, seed);
		if (memcmp(buf, want, n) != 0) {
			ssize_t k = 0;

			while (buf[k] == want[k])
				k++;
			printf("mismatch at byte %llu\n", (unsigned long long)(off + k));
			return 1;
		}
		off += n;
	}
	if (off != size) {
		printf("short: %llu of %llu bytes\n", (unsigned long long)off,
		       (unsigned long long)size);
		return 1;
	}
	printf("ok %llu bytes\n", (unsigned long long)size);
	return 0;
}
