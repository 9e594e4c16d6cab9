namespace CommerceManager.Addresses;

/// <summary>
/// How an address reads in its customer's <see cref="Customers.Customer.AddressSearch"/>: the street, the postcode without
/// spaces and the phone number's digits, upper-cased for ASCII letters only. The database triggers on Addresses (see the
/// CustomerAddressSearch migrations) write it; this is the same text in C#, for writers that fill the column themselves
/// (the seed).
/// </summary>
public static class AddressSearchText
{
    /// <summary>Between an address's parts, and between a customer's addresses.</summary>
    public const string Separator = " | ";

    public static string Of(string line1, string postcode, string? phone) =>
        string.Join(Separator, Customers.OneBox.AsciiUpper(line1), Customers.OneBox.AsciiUpper(postcode.Replace(" ", "", StringComparison.Ordinal)),
            Customers.OneBox.WithoutPhonePunctuation(phone));
}
