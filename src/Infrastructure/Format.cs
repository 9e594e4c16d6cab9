using System.Globalization;

namespace CommerceManager.Infrastructure;

public static class Clock
{
    /// <summary>Now, to the millisecond: what the API shows is exactly what is stored, so eq(created_at,…) finds it.</summary>
    public static DateTime UtcNow(this TimeProvider clock) => Truncate(clock.GetUtcNow().UtcDateTime);

    public static DateTime Truncate(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
}

public static class Format
{
    public static string Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
