using System.Globalization;

namespace CommerceManager.Common;

public sealed class StoreSettings
{
    /// <summary>ISO 4217 code of the store's currency; every price is in its minor units.</summary>
    public string Currency { get; set; } = "USD";
}

public static class Money
{
    private static readonly Dictionary<string, string> Symbols = new(StringComparer.Ordinal)
    {
        ["USD"] = "$", ["CAD"] = "CA$", ["AUD"] = "A$", ["NZD"] = "NZ$", ["EUR"] = "€", ["GBP"] = "£", ["JPY"] = "¥",
        ["CNY"] = "CN¥", ["INR"] = "₹", ["CHF"] = "CHF ", ["SEK"] = "SEK ", ["NOK"] = "NOK ", ["DKK"] = "DKK ",
    };

    // ISO 4217 currencies without minor units.
    private static readonly HashSet<string> ZeroDecimal = ["JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF", "PYG", "RWF"];

    public static int Decimals(string currency) => ZeroDecimal.Contains(currency) ? 0 : 2;

    /// <summary>"$12.34" for 1234 USD.</summary>
    public static string Format(long minorUnits, string currency)
    {
        var decimals = Decimals(currency);
        var value = minorUnits / (decimal)Math.Pow(10, decimals);
        var number = value.ToString(decimals == 0 ? "N0" : "N2", CultureInfo.InvariantCulture);
        return Symbols.TryGetValue(currency, out var symbol)
            ? (value < 0 ? "-" + symbol + number.TrimStart('-') : symbol + number)
            : number + " " + currency;
    }
}
