using System.Globalization;

namespace CommerceManager.Common;

public static class Clock
{
    /// <summary>Now, to the millisecond: what the API shows is exactly what is stored, so eq(created_at,…) finds it.</summary>
    public static DateTime UtcNow(this TimeProvider clock) => Truncate(clock.GetUtcNow().UtcDateTime);

    public static DateTime Truncate(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

    /// <summary>A JWT lifetime check against this clock (the library's own reads the system clock), within the allowed skew.</summary>
    public static Microsoft.IdentityModel.Tokens.LifetimeValidator LifetimeValidator(this TimeProvider clock) =>
        (notBefore, expires, _, parameters) =>
        {
            var now = clock.GetUtcNow().UtcDateTime;
            return expires is { } e && e > now - parameters.ClockSkew && (notBefore is null || notBefore < now + parameters.ClockSkew);
        };
}

public static class Format
{
    public static string Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
