// DsaOp: one operation on a dsa_area by one of the run's backends (2-3 DsmBackends, each mapping
// every segment at its own base), as the property engine and the fuzzer generate it. Every op is
// valid in every state: allocations are named by index into the live list (taken modulo its length),
// an op by a detached backend is done by the lowest attached one, and ops PostgreSQL forbids
// outright (size 0, unpinning with the only reference, detaching the last reference of an
// unpinned area) are skipped:
//   bN alloc SIZE [huge] [no_oom] [zero]   dsa_allocate_extended; the result joins the live list
//   bN free #I                            dsa_free of live allocation I
//   bN write #I =S                        writes pattern S over allocation I (0: zeros)
//   bN read #I                            dsa_get_address in backend N, checks the contents
//   bN trim                               dsa_trim
//   bN limit KIND                         dsa_set_size_limit relative to the total (DsaLimitKind)
//   bN attach | detach | pin | unpin      dsa_attach / dsa_detach / dsa_pin / dsa_unpin
namespace Harness.Systems.Dsa.Oracle;

public enum DsaOpCode : byte
{
    Alloc,
    Free,
    Write,
    Read,
    Trim,
    Limit,
    Attach,
    Detach,
    Pin,
    Unpin,
}

/// <summary>The size limit an op sets, relative to the area's total segment size (spec §12).</summary>
public enum DsaLimitKind : byte
{
    /// <summary>One page below the total: lowered under what exists.</summary>
    Below,
    /// <summary>Equal to the total: no new segment.</summary>
    Equal,
    /// <summary>One page above the total: room for nothing but a tiny capped segment.</summary>
    Above,
    /// <summary>Back to the workload's limit.</summary>
    Initial,
    /// <summary>1 MiB above the total (capped at DsaWorkload.MaxLimit).</summary>
    More,
}

/// <param name="Code">What to do.</param>
/// <param name="Backend">Which backend does it (modulo the run's backends).</param>
/// <param name="Size">Alloc: the request size.</param>
/// <param name="Flags">Alloc: DSA_ALLOC_HUGE | NO_OOM | ZERO.</param>
/// <param name="Index">Free, Write, Read: which live allocation. Limit: the DsaLimitKind.</param>
/// <param name="Seed">Write: the pattern.</param>
public readonly record struct DsaOp(DsaOpCode Code, int Backend = 0, ulong Size = 0, int Flags = 0, int Index = 0, byte Seed = 0)
{
    public static DsaOp Alloc(ulong size, int flags = 0, int backend = 0) => new(DsaOpCode.Alloc, backend, Size: size, Flags: flags);

    public static DsaOp Free(int index, int backend = 0) => new(DsaOpCode.Free, backend, Index: index);

    public static DsaOp Write(int index, byte seed, int backend = 0) => new(DsaOpCode.Write, backend, Index: index, Seed: seed);

    public static DsaOp Read(int index, int backend = 0) => new(DsaOpCode.Read, backend, Index: index);

    public static DsaOp Limit(DsaLimitKind kind, int backend = 0) => new(DsaOpCode.Limit, backend, Index: (int)kind);

    public static DsaOp Simple(DsaOpCode code, int backend = 0) => new(code, backend);
}
