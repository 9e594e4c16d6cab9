namespace CommerceManager.History;

/// <summary>
/// Version-7 GUIDs that only go up in this process: <see cref="Guid.CreateVersion7()"/> is random within a
/// millisecond, so two records of one save (a name and a password) could otherwise sort in either order. Ordered as the
/// databases order them (the big-endian bytes, which is also the text order).
/// </summary>
internal static class RecordIds
{
    private static readonly Lock Gate = new();
    private static UInt128 last;

    /// <summary>The smallest id of a record made at <paramref name="utc"/>'s millisecond: a time as a bound on ids.</summary>
    public static Guid First(DateTime utc)
    {
        Span<byte> bytes = stackalloc byte[16];
        var ms = (ulong)Math.Max(0, new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds());
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, ms << 16);
        bytes[6] = 0x70;
        bytes[8] = 0x80;
        return new Guid(bytes, bigEndian: true);
    }

    public static Guid Next()
    {
        Span<byte> bytes = stackalloc byte[16];
        Guid.CreateVersion7().TryWriteBytes(bytes, bigEndian: true, out _);
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(bytes);
        lock (Gate)
        {
            if (value <= last)
            {
                // Same millisecond as the last one (or the clock stepped back): one more than it, in the random tail,
                // which keeps the version and variant bits of a tail that does not overflow 62 bits.
                value = last + 1;
            }
            last = value;
        }
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(bytes, value);
        return new Guid(bytes, bigEndian: true);
    }
}
