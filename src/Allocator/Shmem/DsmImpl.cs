// DsmImpl: the one "simulated" dynamic shared memory implementation, standing where dsm_impl.c's
// dsm_impl_op and its POSIX implementation dsm_impl_posix stand (PostgreSQL 17). It plays the
// kernel: a namespace of shared memory objects, each a byte[] named "/PostgreSQL.<handle>", which
// any backend can map (into its DsmAddressSpace) while the object exists, and which keeps its bytes
// for backends that still map it after it is unlinked, as shm_unlink does.
//
// What is ported from dsm_impl_posix: CREATE fails silently (returns false, no message) when the
// name exists, so dsm_create retries with another handle; CREATE of a size the "kernel" cannot
// provide fails with "could not resize shared memory segment ... No space left on device" (a byte[]
// cannot exceed Array.MaxLength), and of size 0 with "could not map ...: Invalid argument" (mmap's
// EINVAL), the object being unlinked again in both cases; ATTACH of a missing name fails with
// "could not open shared memory segment ...: No such file or directory" and maps the object's full
// size (fstat's st_size); DETACH unmaps; DESTROY unmaps (if mapped) and unlinks. Failures are
// reported at the caller's elevel: ERROR throws PgErrorException, lower levels go to the sink.
//
// Divergences: no SysV, mmap or Windows implementations, no dsm_impl_pin_segment work (it only
// matters on Windows), no file descriptors. The namespace is process-global managed state (the
// kernel), locked for the production runtime's threads; its operations are not scheduling points.
#pragma warning disable CA1707 // PostgreSQL's names
using Allocator.Common;
using Allocator.Sim;

namespace Allocator.Shmem;

/// <summary>dsm_op.</summary>
public enum dsm_op
{
    DSM_OP_CREATE,
    DSM_OP_ATTACH,
    DSM_OP_DETACH,
    DSM_OP_DESTROY,
}

/// <summary>The elog levels dsm.c passes to dsm_impl_op.</summary>
public enum DsmElevel
{
    DEBUG1,
    LOG,
    WARNING,
    ERROR,
}

public sealed class DsmImpl
{
    private readonly SortedDictionary<uint, byte[]> _objects = new();
    private readonly object _lock = new();

    public ElogSink Elog { get; }

    public DsmImpl(ElogSink elog) => Elog = elog;

    /// <summary>The segment name dsm_impl_posix uses for a handle.</summary>
    public static string SegmentName(uint handle) => $"/PostgreSQL.{handle}";

    /// <summary>shm_open(O_CREAT | O_EXCL) + ftruncate: a new zeroed object, or null if the name exists.</summary>
    public byte[]? CreateObject(uint handle, ulong size)
    {
        lock (_lock)
        {
            if (_objects.ContainsKey(handle)) return null;
            var bytes = new byte[size];
            _objects.Add(handle, bytes);
            return bytes;
        }
    }

    /// <summary>shm_open without O_CREAT: the object's bytes, or null if there is none.</summary>
    public byte[]? OpenObject(uint handle)
    {
        lock (_lock) return _objects.TryGetValue(handle, out byte[]? b) ? b : null;
    }

    /// <summary>shm_unlink: false if there was no such object.</summary>
    public bool Unlink(uint handle)
    {
        lock (_lock) return _objects.Remove(handle);
    }

    /// <summary>The objects that exist, by handle (for checkers, at quiescence).</summary>
    public IReadOnlyList<KeyValuePair<uint, byte[]>> Objects()
    {
        lock (_lock) return _objects.ToList();
    }

    /// <summary>dsm_impl_op over the simulated implementation. <paramref name="impl_private"/> is
    /// the mapping (dsm_impl_posix keeps nothing there; the sim needs the region to unmap it).
    /// <paramref name="space"/> is the calling backend's address space.</summary>
    public bool dsm_impl_op(dsm_op op, uint handle, ulong request_size, ref SimRegion? impl_private,
        ref ulong mapped_address, ref ulong mapped_size, DsmElevel elevel, DsmAddressSpace space)
    {
        Pg.Assert(op == dsm_op.DSM_OP_CREATE || request_size == 0);
        Pg.Assert((op != dsm_op.DSM_OP_CREATE && op != dsm_op.DSM_OP_ATTACH) ||
                  (mapped_address == 0 && mapped_size == 0));
        string name = SegmentName(handle);

        if (op == dsm_op.DSM_OP_DETACH || op == dsm_op.DSM_OP_DESTROY)
        {
            if (mapped_address != 0)
            {
                if (impl_private is null || impl_private.Base != mapped_address)
                    return Report(elevel, $"could not unmap shared memory segment \"{name}\": Invalid argument");
                space.Unmap(impl_private);
                impl_private = null;
            }
            mapped_address = 0;
            mapped_size = 0;
            if (op == dsm_op.DSM_OP_DESTROY && !Unlink(handle))
                return Report(elevel, $"could not remove shared memory segment \"{name}\": No such file or directory");
            return true;
        }

        byte[]? bytes;
        if (op == dsm_op.DSM_OP_ATTACH)
        {
            bytes = OpenObject(handle);
            if (bytes is null)
                return Report(elevel, $"could not open shared memory segment \"{name}\": No such file or directory");
        }
        else
        {
            if (request_size > (ulong)Array.MaxLength)
            {
                // shm_open succeeded, the resize did not: the object is unlinked again
                lock (_lock)
                {
                    if (_objects.ContainsKey(handle)) return false; // EEXIST comes first
                }
                return Report(elevel, $"could not resize shared memory segment \"{name}\" to {request_size} bytes: No space left on device");
            }
            bytes = CreateObject(handle, request_size);
            if (bytes is null) return false; // EEXIST: the caller picks another handle
        }

        SimRegion? r = bytes.Length == 0 ? null : space.Map(name, bytes);
        if (r is null)
        {
            if (op == dsm_op.DSM_OP_CREATE) Unlink(handle);
            return Report(elevel, bytes.Length == 0
                ? $"could not map shared memory segment \"{name}\": Invalid argument"
                : $"could not map shared memory segment \"{name}\": Cannot allocate memory");
        }
        impl_private = r;
        mapped_address = r.Base;
        mapped_size = r.Length;
        return true;
    }

    private bool Report(DsmElevel elevel, string message)
    {
        switch (elevel)
        {
            case DsmElevel.ERROR: throw new PgErrorException(message);
            case DsmElevel.WARNING: Elog.Emit(ElogLevel.Warning, message); break;
            case DsmElevel.LOG: Elog.Emit(ElogLevel.Log, message); break;
            default: Elog.Emit(ElogLevel.Debug, message); break;
        }
        return false;
    }
}
