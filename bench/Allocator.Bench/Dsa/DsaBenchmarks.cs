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
// Both sides run without their checking options (DSA: no CLOBBER_FREED_MEMORY, no lock-order assert;
// AllocSet: MemoryContextOptions.Production without asserts), single backend, uncontended locks
// through ProductionSyncRuntime, as the production builds the C figures come from would.
//
// Run: cd bench/Allocator.Bench && dotnet run -c Release -- --filter '*DsaBenchmarks*'
using Allocator.Dsa;
using Allocator.Mmgr;
using Allocator.Shmem;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
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
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(3)
                .WithWarmupCount(2)
                .WithIterationCount(15)
                .WithInvocationCount(1)
                .WithUnrollFactor(1));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
            AddColumn(BaselineRatioColumn.RatioMean);
        }
    }

    public const int Batch = 256;
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
        _area = DsaArea.dsa_create(backend, trancheId: 100, options: new DsaOptions { ClobberFreedMemory = false, CheckLockOrder = false });
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
