using System.Linq.Expressions;
using CommerceManager.Data;

namespace CommerceManager.Customers;

/// <summary>
/// The console's one box (<c>q=</c>): a caller is found by anything they read out. A name or email containing the
/// text (extra spaces ignored; "Last, First" also as "First Last"), the exact external reference, or one of the
/// customer's addresses (<see cref="Customer.AddressSearch"/>) whose street or postcode contains it (a postcode with or
/// without its space), or whose phone number's digits contain the digits typed, however they are formatted ("(555)
/// 010-4477", "+1 555 010 4477", the last four digits; of a longer number its last nine, so a country prefix does not
/// matter).
/// </summary>
internal sealed record OneBox(string Raw, string Name, string NameReversed, string Email, string Street, string Compact, string Digits)
{
    private static readonly char[] PhonePunctuation = [' ', '-', '(', ')', '.', '+', '/'];

    /// <summary>The digits of a number that name it whatever its country prefix.</summary>
    private const int PhoneTail = 9;

    public static OneBox Of(string quick)
    {
        var raw = quick.Trim();
        var spaced = string.Join(' ', raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        var name = Customer.FoldName(spaced);
        var reversed = name;
        if (spaced.Split(',') is [var last, var first] && first.Trim().Length > 0 && last.Trim().Length > 0)
        {
            reversed = Customer.FoldName($"{first.Trim()} {last.Trim()}");
        }
        var street = AsciiUpper(spaced);
        var compact = AsciiUpper(string.Concat(raw.Where(c => !char.IsWhiteSpace(c))));
        var digits = raw.Any(char.IsAsciiDigit) && raw.All(c => char.IsAsciiDigit(c) || PhonePunctuation.Contains(c) || char.IsWhiteSpace(c))
            ? string.Concat(raw.Where(char.IsAsciiDigit)) : "";
        // Of a longer number its last nine digits (as the duplicate finder compares them): "+44 20 7946 0000" finds "020 7946 0000".
        if (digits.Length > PhoneTail)
        {
            digits = digits[^PhoneTail..];
        }
        // A variant too short for the substring index stands in for nothing: it repeats the street text.
        return new OneBox(raw, name, reversed, Customer.Normalize(CustomerFilters.EmailValue(raw)), street,
            compact.Length >= SqliteSubstringIndex.MinLength ? compact : street, digits.Length >= SqliteSubstringIndex.MinLength ? digits : street);
    }

    /// <summary>The contains-searched columns with their texts, each pair once.</summary>
    public (string Column, string Text)[] Columns =>
    [
        .. new[]
        {
            (nameof(Customer.NormalizedName), Name), (nameof(Customer.NormalizedName), NameReversed), (nameof(Customer.NormalizedEmail), Email),
            (nameof(Customer.AddressSearch), Street), (nameof(Customer.AddressSearch), Compact), (nameof(Customer.AddressSearch), Digits),
        }.Distinct(),
    ];

    /// <summary>The one box's test in LINQ (the index's matches are checked with it; without an index it is the search).</summary>
    public Expression<Func<Customer, bool>> Match =>
        c => c.NormalizedName.Contains(Name) || c.NormalizedName.Contains(NameReversed) || c.NormalizedEmail.Contains(Email)
            || c.AddressSearch.Contains(Street) || c.AddressSearch.Contains(Compact) || c.AddressSearch.Contains(Digits) || c.ExternalRef == Raw;

    /// <summary>A phone number as the address text keeps it: without spaces, dashes, brackets, dots, plus signs and slashes.</summary>
    public static string WithoutPhonePunctuation(string? phone) => string.Concat((phone ?? "").Where(c => !PhonePunctuation.Contains(c)));

    /// <summary>Upper case for ASCII letters only, as SQLite's <c>upper</c> and PostgreSQL's under collation "C".</summary>
    public static string AsciiUpper(string text) => string.Create(text.Length, text, static (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = char.IsAsciiLetterLower(source[i]) ? (char)(source[i] - 32) : source[i];
        }
    });
}
