// DsaBenchmarks: dsa_allocate/dsa_free (src/backend/utils/mmgr/dsa.c, the port in src/Allocator/Dsa)
// against the port's own AllocSet (palloc/pfree in an ALLOCSET_DEFAULT_SIZES context) on the same
// sizes, in one BenchmarkDotNet run, so the ratio is measured on the same machine at the same time.
//
// The workload is a batch: allocate Batch objects of one size, touch the first byte of each (so a
// lazily placed object would show up), then free them all in allocation order. One invocation is
// Rounds batches; an operation is one allocate or one free. Sizes:
//   small  = 64 bytes    (a small DSA size class; an AllocSet freelist chunk)
//   medium = 4000 bytes  (a large DSA size class, few objects per superblock; an AllocSet chunk below
//                         ALLOC_CHUNK_LIMIT, so it comes from the context's blocks)
//   large  = 40000 bytes (a DSA large object: its own span of pages from the segment's FreePageManager;
//                         an AllocSet dedicated block from malloc)
// The area is created with a 16 MiB initial segment (dsa_create_ext), so every batch fits in segment 0,
// which is never freed: the figures are the allocate/free paths, not dsm_create/dsm_detach. With the
// default 1 MiB segment the medium and large batches free and re-create a segment every round, and a
// long run uses up the backend's simulated mapping slice (DsmAddressSpace never reuses an address
// range, so a stale pointer always faults; 64 GiB per backend) and fails with ENOMEM.
// Both sides run without their checking options (DSA: no CLOBBER_FREED_MEMORY, no lock-order assert;
// AllocSet: MemoryContextOptions.Production without asserts), single backend, uncontended locks
// through ProductionSyncRuntime, as the production builds the C figures come from would.
//
// Run: cd bench/Allocator.Bench && dotnet run -c Release -- --filter '*DsaBenchmarks*'
// The job runs in-process (no per-benchmark build, which timed out on a loaded machine) with three
// launches of 15 throughput iterations each; compare medians.
using Allocator.Dsa;
using Allocator.Mmgr;
using Allocator.Shmem;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Jobs;
using Allocator.Bench.Mmgr;

namespace Allocator.Bench.Dsa;

[Config(typeof(DsaPassConfig))]
public class DsaBenchmarks
{
    internal sealed class DsaPassConfig : ManualConfig
    {
        public DsaPassConfig()
        {
            // Several launches and iterations so that two runs agree: a one-launch job on this
            // shared 2-core machine swung by more than the gaps being measured (issue 16).
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(3)
                .WithIterationCount(15));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
            AddColumn(BaselineRatioColumn.RatioMean);
        }
    }

    public const int Batch = 256;
    /// <summary>Room for a whole batch of the large size (256 x 40000 bytes) in segment 0.</summary>
    public const ulong InitSegmentSize = 16UL << 20;
    public const int Rounds = 40;
    public const int OpsPerInvoke = 2 * Batch * Rounds;

    [Params("small", "medium", "large")]
    public string Size { get; set; } = "small";

    private ulong _size;
    private DsaArea _area = null!;
    private PortAllocator _aset;
    private readonly ulong[] _live = new ulong[Batch];

    public static ulong SizeOf(string name) => name switch
    {
        "small" => 64,
        "medium" => 4000,
        "large" => 40000,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "small, medium or large"),
    };

    [GlobalSetup]
    public void Setup()
    {
        _size = SizeOf(Size);
        var control = new DsmControl(new DsmControlOptions(MaxBackends: 2, Seed: 1));
        DsmBackend backend = control.Attach(0);
        _area = DsaArea.dsa_create_ext(backend, trancheId: 100, InitSegmentSize, DsaLayout.Wide.P.DSA_MAX_SEGMENT_SIZE, options: new DsaOptions { ClobberFreedMemory = false, CheckLockOrder = false });
        _aset = new PortAllocator(MemoryContextOptions.Production with { AssertChecking = false });
        // one untimed batch on each side, so segments, superblocks and blocks exist before timing
        DsaRounds(1);
        AllocSetRounds(1);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OpsPerInvoke)]
    public ulong AllocSet_palloc_pfree() => AllocSetRounds(Rounds);

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public ulong Dsa_allocate_free() => DsaRounds(Rounds);

    private ulong DsaRounds(int rounds)
    {
        ulong sum = 0;
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < Batch; i++)
            {
                ulong dp = _area.dsa_allocate(_size);
                _area.M.WriteU8(_area.dsa_get_address(dp), (byte)i);
                _live[i] = dp;
                sum += dp;
            }
            for (int i = 0; i < Batch; i++) _area.dsa_free(_live[i]);
        }
        return sum;
    }

    private ulong AllocSetRounds(int rounds)
    {
        ulong sum = 0;
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < Batch; i++)
            {
                ulong p = _aset.Alloc(_size);
                _aset.Poke(p, (byte)i);
                _live[i] = p;
                sum += p;
            }
            for (int i = 0; i < Batch; i++) _aset.Free(_live[i]);
        }
        return sum;
    }
}
