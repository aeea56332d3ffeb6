/*
 * driver.c: the native half of `harness libfuzzer`. libFuzzer (clang's -fsanitize=fuzzer) owns
 * this process: its mutations, corpus, -merge, -jobs/-workers, -dict and crash files. The code
 * under test is managed and runs in a second process, the harness's `libfuzzer-worker`, which
 * calls SharpFuzz's Fuzzer.LibFuzzer.Run. This file is the bridge between the two.
 *
 * The protocol is the one SharpFuzz 2.3.0's Fuzzer.LibFuzzer.Run expects (read in its source):
 *   - one SysV shared memory segment, id in __LIBFUZZER_SHM_ID: the first 64 KiB are the edge map
 *     SharpFuzz's probes write (it points SharpFuzz.Common.Trace.SharedMem there), the input
 *     follows at offset 64 KiB;
 *   - a control pipe (fd number in __LIBFUZZER_CONTROL_PIPE_ID) carrying one 32-bit input length
 *     per execution, driver to worker;
 *   - a status pipe (fd number in __LIBFUZZER_STATUS_PIPE_ID) carrying one 32-bit status back:
 *     once when the worker is ready, then after every execution (0 = ok; SharpFuzz sends 2 when
 *     the callback threw, which is how the harness reports a finding, and then stops).
 * After each execution the edge map is copied into libFuzzer's extra counters, so the managed
 * edges are libFuzzer's features (cov:/ft:) exactly as native inline counters would be.
 *
 * What becomes a crash for libFuzzer (a trap, so it writes crash-<sha1> and, with -fork/-jobs,
 * carries on): a non-zero status (the worker has printed the outcome kind, site and reason on its
 * stderr), and the worker dying in the middle of an input (stack overflow, FailFast, a kill).
 * libFuzzer's own -timeout and -rss_limit_mb apply to this process as usual; the worker dies with it.
 *
 * The worker command line: every --worker=ARG flag, in order (libFuzzer ignores flags that start
 * with "--" and copies them to the processes it spawns for -jobs, -fork and -merge). Without any,
 * a driver built with -DHARNESS_TARGET='"name"' (one binary per target, the ClusterFuzzLite layout)
 * runs <its own folder>/harness/harness libfuzzer-worker name.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
    EDGE_MAP_BYTES = 1 << 16,   /* SharpFuzz's 16-bit block ids index this map */
    INPUT_BYTES = 1 << 20,      /* room for the input after the map */
    WORKER_CONTROL_FD = 198,    /* where the worker finds the pipes (any free numbers would do) */
    WORKER_STATUS_FD = 199,
    MAX_WORKER_ARGS = 64,
};

static const char SHM_VAR[] = "__LIBFUZZER_SHM_ID";
static const char CONTROL_VAR[] = "__LIBFUZZER_CONTROL_PIPE_ID";
static const char STATUS_VAR[] = "__LIBFUZZER_STATUS_PIPE_ID";
static const char WORKER_FLAG[] = "--worker=";

/* libFuzzer reads every byte of this section as a coverage counter (its "extra counters"). */
__attribute__((used, section("__libfuzzer_extra_counters")))
static uint8_t extra_counters[EDGE_MAP_BYTES];

static uint8_t *shared;         /* map, then input */
static int shm_id = -1;
static int control_fd = -1;     /* our write end */
static int status_fd = -1;      /* our read end */
static pid_t worker_pid = -1;

static void fail(const char *what)
{
    fprintf(stderr, "harness-libfuzzer: %s\n", what);
    exit(1);
}

static void fail_errno(const char *what)
{
    fprintf(stderr, "harness-libfuzzer: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* For the forked child before its exec: _exit, so neither our atexit (which would mark the
   segment for removal) nor libFuzzer's run in a copy of the driver. */
static void child_fail(const char *what)
{
    fprintf(stderr, "harness-libfuzzer: %s: %s\n", what, strerror(errno));
    _exit(127);
}

static void remove_segment(void)
{
    if (shm_id >= 0) shmctl(shm_id, IPC_RMID, NULL);
}

/* Describes how the worker ended, for the messages below. Its pipe closes a moment before it can be
   reaped, so this waits for it up to about a second, and says nothing if it still runs. */
static void describe_worker_end(void)
{
    int st;
    pid_t got = 0;
    for (int i = 0; i < 100 && worker_pid > 0 && (got = waitpid(worker_pid, &st, WNOHANG)) == 0; i++) {
        struct timespec ten_ms = { 0, 10 * 1000 * 1000 };
        nanosleep(&ten_ms, NULL);
    }
    if (worker_pid <= 0 || got != worker_pid) return;
    if (WIFEXITED(st)) fprintf(stderr, "harness-libfuzzer: the worker exited with code %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) fprintf(stderr, "harness-libfuzzer: the worker was killed by signal %d\n", WTERMSIG(st));
    worker_pid = -1;
}

/* Full-length read or write, retried on EINTR; returns the bytes moved (short only at EOF/error). */
static ssize_t move_all(int fd, void *buf, size_t len, int writing)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = writing ? write(fd, (char *)buf + done, len - done) : read(fd, (char *)buf + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
    return (ssize_t)done;
}

static void default_worker(const char **argv, char *program, size_t program_len)
{
#ifdef HARNESS_TARGET
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) fail_errno("readlink(/proc/self/exe)");
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash) *slash = '\0';
    if ((size_t)snprintf(program, program_len, "%s/harness/harness", self) >= program_len) fail("worker path too long");
    argv[0] = program;
    argv[1] = "libfuzzer-worker";
    argv[2] = HARNESS_TARGET;
    argv[3] = NULL;
#else
    (void)argv; (void)program; (void)program_len;
    fail("no worker: give --worker=PROGRAM --worker=ARG... (harness libfuzzer does), or build with -DHARNESS_TARGET");
#endif
}

static void start_worker(int argc, char **argv)
{
    const char *worker[MAX_WORKER_ARGS + 1];
    int count = 0;
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], WORKER_FLAG, sizeof WORKER_FLAG - 1) != 0) continue;
        if (count == MAX_WORKER_ARGS) fail("too many --worker= arguments");
        worker[count++] = argv[i] + sizeof WORKER_FLAG - 1;
    }
    worker[count] = NULL;
    static char program[PATH_MAX + 32];
    if (count == 0) default_worker(worker, program, sizeof program);

    shm_id = shmget(IPC_PRIVATE, EDGE_MAP_BYTES + INPUT_BYTES, IPC_CREAT | IPC_EXCL | 0600);
    if (shm_id < 0) fail_errno("shmget");
    atexit(remove_segment);
    shared = shmat(shm_id, NULL, 0);
    if (shared == (void *)-1) fail_errno("shmat");

    /* Close-on-exec everywhere: only the worker's dup2'ed copies may outlive an exec, so a process
       libFuzzer spawns later (-jobs, -merge) never holds a pipe end and hides the worker's EOF. */
    int control[2], status[2];
    if (pipe2(control, O_CLOEXEC) || pipe2(status, O_CLOEXEC)) fail_errno("pipe2");
    pid_t driver = getpid();
    worker_pid = fork();
    if (worker_pid < 0) fail_errno("fork");
    if (worker_pid == 0) {
        /* libFuzzer leaves by _exit on a timeout or a crash, with the worker possibly still inside
           an input (a real hang never reads the closed pipe): the kernel kills it when we go. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != driver) _exit(1);
        if (dup2(control[0], WORKER_CONTROL_FD) < 0 || dup2(status[1], WORKER_STATUS_FD) < 0) child_fail("dup2");
        char id[16], cfd[16], sfd[16];
        snprintf(id, sizeof id, "%d", shm_id);
        snprintf(cfd, sizeof cfd, "%d", WORKER_CONTROL_FD);
        snprintf(sfd, sizeof sfd, "%d", WORKER_STATUS_FD);
        if (setenv(SHM_VAR, id, 1) || setenv(CONTROL_VAR, cfd, 1) || setenv(STATUS_VAR, sfd, 1)) child_fail("setenv");
        execvp(worker[0], (char *const *)worker);
        child_fail(worker[0]);
    }
    close(control[0]);
    close(status[1]);
    control_fd = control[1];
    status_fd = status[0];

    int32_t hello;
    if (move_all(status_fd, &hello, sizeof hello, 0) != (ssize_t)sizeof hello) {
        describe_worker_end();
        fail("the worker ended before it was ready (its stderr says why)");
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    /* A dead worker must surface as a failed write, not as SIGPIPE ending this process silently. */
    signal(SIGPIPE, SIG_IGN);
    start_worker(*argc, *argv);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > INPUT_BYTES) {
        fprintf(stderr, "harness-libfuzzer: input of %zu bytes is above the %d-byte input area; use -max_len\n", size, INPUT_BYTES);
        exit(1);
    }
    memset(shared, 0, EDGE_MAP_BYTES);
    memcpy(shared + EDGE_MAP_BYTES, data, size);
    int32_t length = (int32_t)size, status;
    if (move_all(control_fd, &length, sizeof length, 1) != (ssize_t)sizeof length
        || move_all(status_fd, &status, sizeof status, 0) != (ssize_t)sizeof status) {
        describe_worker_end();
        fprintf(stderr, "harness-libfuzzer: the worker died while running this input (an uncatchable crash or a kill)\n");
        __builtin_trap();
    }
    memcpy(extra_counters, shared, EDGE_MAP_BYTES);
    if (status != 0) {
        fprintf(stderr, "harness-libfuzzer: the worker reported a finding (status %d; outcome on its stderr above)\n", status);
        __builtin_trap();
    }
    return 0;
}
