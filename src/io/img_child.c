/* img_child.c - see img_child.h. stb_image on bytes img_check accepted: here, or in a
   forked child that can do nothing but compute, allocate, and write to one pipe.

   The child's limits, and why:
   - RLIMIT_AS: the address space the process already has (the child inherits all of it:
     the network's weights, thread stacks, the window's libraries - read from
     /proc/self/statm in the child) plus 64 MiB, twice the file, and ImgInfo.px_bytes per
     pixel: what stb_image holds at once for this format and size (at the 50-megapixel
     limit, 0.6 GB for a JPEG, 1 GB for an 8-bit RGBA PNG). A header that lies about its
     size cannot make the decoder take more. Not under AddressSanitizer, which reserves
     terabytes of shadow address space up front and maps more as it goes: there the child
     has no memory limit (only the CPU and time limits and the filter).
   - RLIMIT_CPU: 2 s plus 1 s per 10 megapixels (stb_image decodes 50 megapixels in about
     1-2 s here); the parent's wall-clock deadline is twice that plus 4 s, for a loaded
     machine. RLIMIT_CORE 0 (a crash leaves no core file), RLIMIT_FSIZE 0.
   - Descriptors: all closed but the pipe (close_range), and stderr under sanitizers so a
     report can be seen.
   - seccomp filter (linux/seccomp.h + linux/filter.h, installed with no_new_privs):
       write          - only to the pipe (and stderr under sanitizers)
       mmap, mprotect - without PROT_EXEC: glibc malloc maps large blocks and grows a
                        thread's arena with mprotect (the caller may be a worker thread)
       brk, munmap, mremap, madvise - malloc, free, realloc of large blocks, trimming
       futex          - a malloc lock, should one be contended
       exit, exit_group, rt_sigreturn - leaving
       sigaltstack    - only under AddressSanitizer, whose _exit removes its signal stack
     Everything else, for any architecture but the one compiled for, kills the process.
     Strict mode (read/write/exit/sigreturn only) is not enough: malloc inside stb_image
     needs mmap and brk, and pre-allocating for stb_image is not possible from outside it. */
#define _GNU_SOURCE /* close_range, pipe2 */
#include "img_child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <stb_image.h>

#include "util.h"

#if defined(__SANITIZE_ADDRESS__)
#define IMG_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IMG_SANITIZED 1
#endif
#endif
#ifndef IMG_SANITIZED
#define IMG_SANITIZED 0
#endif

#if defined(__x86_64__)
#define IMG_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define IMG_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define IMG_AUDIT_ARCH AUDIT_ARCH_RISCV64
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define IMG_AUDIT_ARCH AUDIT_ARCH_PPC64LE
#endif

static ImgChildMode test_mode;
static int test_deadline_ms;

void img_child_test_mode(ImgChildMode mode, int deadline_ms)
{
    test_mode = mode;
    test_deadline_ms = deadline_ms;
}

/* ---- stb_image to 8-bit RGB ----------------------------------------------------------- */

/* stb gives 1 (grey), 2 (grey, alpha), 3 (RGB) or 4 (RGBA) channels; we keep RGB and
   composite alpha over white, which is how a viewer shows a transparent PNG. */
static void to_rgb(const unsigned char *src, int n, long long npx, unsigned char *dst)
{
    for (long long i = 0; i < npx; i++) {
        const unsigned char *s = src + i * n;
        unsigned char *o = dst + i * 3;
        unsigned r, g, b, a = 255;
        if (n <= 2) { r = g = b = s[0]; if (n == 2) a = s[1]; }
        else { r = s[0]; g = s[1]; b = s[2]; if (n == 4) a = s[3]; }
        if (a != 255) {
            unsigned inv = 255 - a;
            r = (r * a + 255 * inv + 127) / 255;
            g = (g * a + 255 * inv + 127) / 255;
            b = (b * a + 255 * inv + 127) / 255;
        }
        o[0] = (unsigned char)r;
        o[1] = (unsigned char)g;
        o[2] = (unsigned char)b;
    }
}

static int corrupt(const char *name, ImgFormat f, const char *why, Err *e)
{
    if (why) return err_set(e, "%s: truncated or corrupt %s (%s)", name, img_format_name(f), why);
    return err_set(e, "%s: truncated or corrupt %s", name, img_format_name(f));
}

int img_decode(const unsigned char *d, size_t n, const char *name, const ImgInfo *info, Image *im, Err *e)
{
    im->w = im->h = 0;
    im->px = NULL;
    int w = 0, h = 0, c = 0;
    unsigned char *px = stbi_load_from_memory(d, (int)n, &w, &h, &c, 0);
    if (!px) return corrupt(name, info->fmt, img_stb_reason(info->fmt), e);
    if (w != info->w || h != info->h || c < 1 || c > 4) {
        stbi_image_free(px);
        return err_set(e, "%s: corrupt %s (it decodes to %d×%d, %d channels; its header says %d×%d)", name,
                       img_format_name(info->fmt), w, h, c, info->w, info->h);
    }
    long long npx = (long long)w * h;
    unsigned char *rgb = malloc((size_t)npx * 3);
    if (!rgb) {
        stbi_image_free(px);
        return err_set(e, "%s: out of memory for a %d×%d image", name, w, h);
    }
    to_rgb(px, c, npx, rgb);
    stbi_image_free(px);
    im->w = w;
    im->h = h;
    im->px = rgb;
    return 0;
}

/* ---- the child ------------------------------------------------------------------------ */

/* What the child sends first; pixels (h, w, 3) follow if status is 0. */
typedef struct {
    char magic[4];   /* "AXI1" */
    int32_t status;  /* 0: pixels follow; 1: stb_image refused the file (reason) */
    int32_t w, h;
    char reason[64]; /* stb_image's reason if it is the sniffed format's decoder's, else "" */
} Reply;

enum { CHILD_OK = 0, CHILD_NO_SANDBOX = 3, CHILD_WRITE_FAILED = 4 };

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

#ifdef IMG_AUDIT_ARCH
/* The low 32 bits of syscall argument i in struct seccomp_data. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#else
#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#endif

static int sandbox(int fd)
{
    static const int plain[] = {
        __NR_brk, __NR_munmap, __NR_mremap, __NR_madvise, __NR_futex, __NR_exit, __NR_exit_group, __NR_rt_sigreturn,
        IMG_SANITIZED ? __NR_sigaltstack : __NR_exit, /* AddressSanitizer's _exit takes down its signal stack */
    };
    enum { NPLAIN = sizeof plain / sizeof *plain };
    /* layout (BPF jumps only go forward): 0-3 check the architecture, load the number;
       4-6 jump to the write and prot blocks; the plain list; KILL; ALLOW; the write block
       (5: the descriptor, then its own kill and allow); the prot block (4) */
    enum { P0 = 7, KILL = P0 + NPLAIN, ALLOW = KILL + 1, WRITE = ALLOW + 1, PROT = WRITE + 5, LEN = PROT + 4 };
    struct sock_filter f[LEN];
#define AT(i, x) f[i] = (struct sock_filter)x
#define JEQ(i, k, to) AT(i, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)(k), (to) - (i) - 1, 0))
#define RET(i, v) AT(i, BPF_STMT(BPF_RET | BPF_K, v))
    AT(0, BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
    AT(1, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IMG_AUDIT_ARCH, 1, 0));
    RET(2, SECCOMP_RET_KILL_PROCESS);
    AT(3, BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
    JEQ(4, __NR_write, WRITE);
    JEQ(5, __NR_mmap, PROT);
    JEQ(6, __NR_mprotect, PROT);
    for (int i = 0; i < NPLAIN; i++) JEQ(P0 + i, plain[i], ALLOW);
    RET(KILL, SECCOMP_RET_KILL_PROCESS);
    RET(ALLOW, SECCOMP_RET_ALLOW);
    AT(WRITE, BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(0)));
    JEQ(WRITE + 1, fd, WRITE + 4);
    JEQ(WRITE + 2, IMG_SANITIZED ? 2 : fd, WRITE + 4);
    RET(WRITE + 3, SECCOMP_RET_KILL_PROCESS);
    RET(WRITE + 4, SECCOMP_RET_ALLOW);
    AT(PROT, BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)));
    AT(PROT + 1, BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 0, 1));
    RET(PROT + 2, SECCOMP_RET_KILL_PROCESS);
    RET(PROT + 3, SECCOMP_RET_ALLOW);
#undef RET
#undef JEQ
#undef AT
    struct sock_fprog prog = {LEN, f};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0 ? 0 : -1;
}
#else
/* An architecture without a filter here: the rlimits and closed descriptors still hold. */
static int sandbox(int fd) { (void)fd; return 0; }
#endif

static void close_fds(int keep)
{
    int first = IMG_SANITIZED && keep > 2 ? 3 : 0; /* sanitizers report on stderr */
    if (keep > first && close_range((unsigned)first, (unsigned)keep - 1, 0) != 0)
        for (int fd = first; fd < keep; fd++) close(fd);
    if (close_range((unsigned)keep + 1, ~0U, 0) != 0) {
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = keep + 1; fd < (max > 0 && max < 65536 ? max : 65536); fd++) close((int)fd);
    }
}

static void run_test_mode(int fd, const ImgInfo *info)
{
    switch (test_mode) {
    case IMG_CHILD_CRASH: *(volatile char *)(uintptr_t)&img_child_test_mode = 0; break; /* the code is read-only */
    case IMG_CHILD_SPIN: for (volatile unsigned long i = 0;; i++) {} break;
    case IMG_CHILD_SYSCALL: open("/etc/passwd", O_RDONLY); break;
    case IMG_CHILD_HOG: {
        size_t big = (size_t)4 << 30;
        char *p = malloc(big);
        if (p) memset(p, 1, big);
        break;
    }
    case IMG_CHILD_SHORT: {
        Reply r = {{'A', 'X', 'I', '1'}, 0, info->w, info->h, ""};
        static unsigned char zeros[4096];
        write_all(fd, &r, sizeof r);
        for (long long left = (long long)info->w * info->h * 3 / 2; left > 0; left -= (long long)sizeof zeros)
            write_all(fd, zeros, left < (long long)sizeof zeros ? (size_t)left : sizeof zeros);
        _exit(CHILD_OK);
    }
    default: return;
    }
    _exit(CHILD_OK); /* a mode that survived its test sends nothing: the parent sees no reply */
}

/* The bytes of address space this process has mapped (0 if /proc cannot say). Only
   open, read and close: safe in the child of a threaded process. */
static unsigned long long vm_now(void)
{
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char b[64];
    ssize_t k = read(fd, b, sizeof b - 1);
    close(fd);
    unsigned long long pages = 0;
    for (ssize_t i = 0; i < k && b[i] >= '0' && b[i] <= '9'; i++) pages = pages * 10 + (unsigned)(b[i] - '0');
    long ps = sysconf(_SC_PAGESIZE);
    return pages * (unsigned long long)(ps > 0 ? ps : 4096);
}

static void child_main(int fd, const unsigned char *d, size_t n, const ImgInfo *info, unsigned cpu_s)
{
    /* the address space as forked: measured here, as the parent's other threads may map
       stacks and malloc arenas until the fork */
    unsigned long long vm = vm_now();
    /* the parent's signal handlers (a test framework's, the window's) must not run here:
       a crash or a limit simply ends the child */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < 65; sig++) sigaction(sig, &dfl, NULL); /* SIGKILL, SIGSTOP: EINVAL, fine */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    close_fds(fd);
    struct rlimit zero = {0, 0}, cpu = {cpu_s, cpu_s + 1};
    setrlimit(RLIMIT_CORE, &zero);
    setrlimit(RLIMIT_FSIZE, &zero);
    setrlimit(RLIMIT_CPU, &cpu);
    if (!IMG_SANITIZED && vm) {
        unsigned long long budget = vm + (64ULL << 20) + 2ULL * n + (unsigned long long)info->px_bytes * info->w * info->h;
        struct rlimit as = {budget, budget};
        setrlimit(RLIMIT_AS, &as);
    }
    if (sandbox(fd) != 0) _exit(CHILD_NO_SANDBOX);
    if (test_mode != IMG_CHILD_DECODE) run_test_mode(fd, info);

    int w = 0, h = 0, c = 0;
    unsigned char *px = stbi_load_from_memory(d, (int)n, &w, &h, &c, 0);
    Reply r = {{'A', 'X', 'I', '1'}, 0, w, h, ""};
    if (!px || c < 1 || c > 4) {
        const char *why = img_stb_reason(info->fmt);
        r.status = 1;
        for (size_t i = 0; why && why[i] && i + 1 < sizeof r.reason; i++) r.reason[i] = why[i];
        _exit(write_all(fd, &r, sizeof r) == 0 ? CHILD_OK : CHILD_WRITE_FAILED);
    }
    if (write_all(fd, &r, sizeof r) != 0) _exit(CHILD_WRITE_FAILED);
    enum { CHUNK = 16384 };
    unsigned char rgb[3 * CHUNK];
    long long npx = (long long)w * h;
    for (long long i = 0; i < npx; i += CHUNK) {
        long long k = npx - i < CHUNK ? npx - i : CHUNK;
        to_rgb(px + i * c, c, k, rgb);
        if (write_all(fd, rgb, (size_t)k * 3) != 0) _exit(CHILD_WRITE_FAILED);
    }
    _exit(CHILD_OK);
}

/* ---- the parent ----------------------------------------------------------------------- */

enum { READ_OK, READ_EOF, READ_TIMEOUT, READ_ERROR };

/* Reads exactly len bytes before the deadline (now_ms() clock). len 0: waits for the end
   of the data (READ_EOF is then the good answer; more data is READ_ERROR). */
static int read_until(int fd, void *buf, size_t len, double deadline)
{
    char *p = buf, extra;
    size_t got = 0;
    for (;;) {
        if (len && got == len) return READ_OK;
        double left = deadline - now_ms();
        if (left <= 0) return READ_TIMEOUT;
        struct pollfd pf = {fd, POLLIN, 0};
        int r = poll(&pf, 1, (int)left + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return READ_ERROR;
        if (r == 0) continue; /* the deadline is checked above */
        ssize_t k = read(fd, len ? p + got : &extra, len ? len - got : 1);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (k < 0) return READ_ERROR;
        if (k == 0) return READ_EOF;
        if (!len) return READ_ERROR;
        got += (size_t)k;
    }
}

/* Reads the reply and the pixels; 0 with *px set, 1 if the child reported stb_image's
   refusal (r->reason), -1 if anything else happened. */
static int receive(int fd, const ImgInfo *info, double deadline, Reply *r, unsigned char **px)
{
    *px = NULL;
    if (read_until(fd, r, sizeof *r, deadline) != READ_OK || memcmp(r->magic, "AXI1", 4) != 0) return -1;
    r->reason[sizeof r->reason - 1] = '\0';
    if (r->status == 1) return read_until(fd, NULL, 0, deadline) == READ_EOF ? 1 : -1;
    /* the size img_check read from the header, which it held to IMG_MAX_PIXELS */
    if (r->status != 0 || r->w != info->w || r->h != info->h || (long long)r->w * r->h > IMG_MAX_PIXELS) return -1;
    size_t bytes = (size_t)r->w * (size_t)r->h * 3;
    *px = malloc(bytes);
    if (!*px) return -1;
    if (read_until(fd, *px, bytes, deadline) == READ_OK && read_until(fd, NULL, 0, deadline) == READ_EOF) return 0;
    free(*px);
    *px = NULL;
    return -1;
}

int img_decode_isolated(const unsigned char *d, size_t n, const char *name, const ImgInfo *info, Image *im,
                        Err *e)
{
    im->w = im->h = 0;
    im->px = NULL;
    long long mp10 = ((long long)info->w * info->h + 9999999) / 10000000;
    unsigned cpu_s = 2 + (unsigned)mp10;
    int deadline_ms = test_deadline_ms > 0 ? test_deadline_ms : (int)(2 * cpu_s + 4) * 1000;
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return err_set(e, "%s: cannot start the image decoder (pipe: %s)", name, strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        int err = errno;
        close(p[0]);
        close(p[1]);
        return err_set(e, "%s: cannot start the image decoder (fork: %s)", name, strerror(err));
    }
    if (pid == 0) {
        close(p[0]);
        child_main(p[1], d, n, info, cpu_s);
        _exit(CHILD_WRITE_FAILED);
    }
    close(p[1]);
    Reply r;
    unsigned char *px;
    int got = receive(p[0], info, now_ms() + deadline_ms, &r, &px);
    close(p[0]);
    if (got < 0) kill(pid, SIGKILL); /* a no-op if it has exited: it stays ours until reaped */
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    int clean = WIFEXITED(status) && WEXITSTATUS(status) == CHILD_OK;
    if (got == 0 && clean) {
        im->w = r.w;
        im->h = r.h;
        im->px = px;
        return 0;
    }
    free(px);
    if (got == 1 && clean) return corrupt(name, info->fmt, r.reason[0] ? r.reason : NULL, e);
    if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_NO_SANDBOX)
        return err_set(e, "%s: cannot sandbox the image decoder (seccomp is not available)", name);
    return err_set(e, "%s: the image decoder failed on this file (it is corrupt or hostile)", name);
}
