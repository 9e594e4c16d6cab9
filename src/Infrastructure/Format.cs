using System.Globalization;

namespace CommerceManager.Infrastructure;

public static class Format
{
    public static string Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
