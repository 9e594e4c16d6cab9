using System.Text;
using CommerceManager.Addresses;
using CommerceManager.CustomFields;

namespace CommerceManager.DataTransfer;

/// <summary>
/// Where an imported column can go: the customer's name (or first and last name, joined), email and external
/// reference, a custom field (<c>custom:slug</c>), or a field of the customer's first address (<c>address:line_1</c>).
/// Headers are guessed: our own export's map as they are, and common spellings of other platforms' exports
/// ("First Name", "Email Address", "Zip", "Province", "Phone") map to the fields they mean.
/// </summary>
public static class ImportTargets
{
    public const string Ignore = "";
    public const string Name = "name";
    public const string FirstName = "first_name";
    public const string LastName = "last_name";
    public const string Email = "email";
    public const string ExternalRef = "external_ref";
    public const string CustomPrefix = "custom:";
    public const string AddressPrefix = "address:";

    public static readonly (string Field, string Label)[] AddressFields =
    [
        ("name", "Address label"), ("first_name", "Address first name"), ("last_name", "Address last name"), ("company_name", "Company"),
        ("line_1", "Address line 1"), ("line_2", "Address line 2"), ("city", "City"), ("region", "State or province"), ("county", "County / region"),
        ("postcode", "Postcode"), ("country", "Country"), ("phone_number", "Phone"), ("instructions", "Delivery instructions"),
    ];

    /// <summary>Every target with its label, for the mapping step's choices.</summary>
    public static IReadOnlyList<(string Target, string Label)> All(IReadOnlyList<FieldDefinition> customFields) =>
    [
        (Ignore, "(skip this column)"), (Name, "Name"), (FirstName, "First name"), (LastName, "Last name"), (Email, "Email"), (ExternalRef, "External reference"),
        .. customFields.Select(f => (CustomPrefix + f.Slug, $"Custom field: {f.Name}")),
        .. AddressFields.Select(a => (AddressPrefix + a.Field, a.Label)),
    ];

    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["name"] = Name, ["fullname"] = Name, ["customername"] = Name, ["customer"] = Name,
        ["firstname"] = FirstName, ["givenname"] = FirstName, ["forename"] = FirstName,
        ["lastname"] = LastName, ["surname"] = LastName, ["familyname"] = LastName,
        ["email"] = Email, ["emailaddress"] = Email, ["mail"] = Email, ["customeremail"] = Email,
        ["externalref"] = ExternalRef, ["externalreference"] = ExternalRef, ["reference"] = ExternalRef, ["customerid"] = ExternalRef,
        ["company"] = AddressPrefix + "company_name", ["companyname"] = AddressPrefix + "company_name", ["defaultaddresscompany"] = AddressPrefix + "company_name",
        ["address1"] = AddressPrefix + "line_1", ["addressline1"] = AddressPrefix + "line_1", ["line1"] = AddressPrefix + "line_1", ["street"] = AddressPrefix + "line_1",
        ["defaultaddressaddress1"] = AddressPrefix + "line_1",
        ["address2"] = AddressPrefix + "line_2", ["addressline2"] = AddressPrefix + "line_2", ["line2"] = AddressPrefix + "line_2", ["defaultaddressaddress2"] = AddressPrefix + "line_2",
        ["city"] = AddressPrefix + "city", ["town"] = AddressPrefix + "city", ["defaultaddresscity"] = AddressPrefix + "city",
        // By meaning: a state or province is a region (EP's region); a county is a county.
        ["county"] = AddressPrefix + "county", ["defaultaddresscounty"] = AddressPrefix + "county",
        ["province"] = AddressPrefix + "region", ["state"] = AddressPrefix + "region", ["stateprovince"] = AddressPrefix + "region", ["stateorprovince"] = AddressPrefix + "region",
        ["provincecode"] = AddressPrefix + "region", ["statecode"] = AddressPrefix + "region", ["defaultaddressprovincecode"] = AddressPrefix + "region",
        ["defaultaddressprovince"] = AddressPrefix + "region", ["billingstate"] = AddressPrefix + "region", ["shippingstate"] = AddressPrefix + "region",
        ["region"] = AddressPrefix + "region", ["stateprovincecode"] = AddressPrefix + "region",
        ["zip"] = AddressPrefix + "postcode", ["zipcode"] = AddressPrefix + "postcode", ["postcode"] = AddressPrefix + "postcode", ["postalcode"] = AddressPrefix + "postcode",
        ["defaultaddresszip"] = AddressPrefix + "postcode", ["zippostalcode"] = AddressPrefix + "postcode", ["billingpostcode"] = AddressPrefix + "postcode",
        ["shippingpostcode"] = AddressPrefix + "postcode",
        ["country"] = AddressPrefix + "country", ["countrycode"] = AddressPrefix + "country", ["defaultaddresscountrycode"] = AddressPrefix + "country",
        ["billingcountry"] = AddressPrefix + "country", ["shippingcountry"] = AddressPrefix + "country",
        ["countryid"] = AddressPrefix + "country",
        ["billingaddress1"] = AddressPrefix + "line_1", ["billingaddress2"] = AddressPrefix + "line_2", ["billingcity"] = AddressPrefix + "city",
        ["streetaddress"] = AddressPrefix + "line_1", ["billingphone"] = AddressPrefix + "phone_number", ["billingcompany"] = AddressPrefix + "company_name",
        ["billingfirstname"] = AddressPrefix + "first_name", ["billinglastname"] = AddressPrefix + "last_name",
        ["phone"] = AddressPrefix + "phone_number", ["phonenumber"] = AddressPrefix + "phone_number", ["telephone"] = AddressPrefix + "phone_number",
        ["defaultaddressphone"] = AddressPrefix + "phone_number",
        ["instructions"] = AddressPrefix + "instructions",
    };

    /// <summary>The target a header most likely means, or <see cref="Ignore"/>.</summary>
    public static string Guess(string header, IReadOnlyList<FieldDefinition> customFields)
    {
        var trimmed = header.Trim();
        if (trimmed.StartsWith("address_", StringComparison.OrdinalIgnoreCase)
            && AddressFields.FirstOrDefault(a => string.Equals("address_" + a.Field, trimmed, StringComparison.OrdinalIgnoreCase)) is { Field: not null } address)
        {
            return AddressPrefix + address.Field;
        }
        if (customFields.FirstOrDefault(f => string.Equals(f.Slug, trimmed, StringComparison.OrdinalIgnoreCase)
                                             || string.Equals(f.Name, trimmed, StringComparison.OrdinalIgnoreCase)) is { } field)
        {
            return CustomPrefix + field.Slug;
        }
        return Known.GetValueOrDefault(Key(trimmed), Ignore);
    }

    /// <summary>Letters and digits only, lower case: "E-mail Address" and "email_address" are the same key.</summary>
    private static string Key(string header)
    {
        var sb = new StringBuilder(header.Length);
        foreach (var c in header.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }
        return sb.Replace("e-mail", "email").ToString();
    }

    /// <summary>
    /// An id as the other platform meant it: Shopify writes its customer ids with a leading apostrophe ('7291838111998) so a
    /// spreadsheet keeps them as text; the apostrophe is not part of the id.
    /// </summary>
    public static string? Reference(string? value) =>
        value is ['\'', .. var rest] && rest.Length > 0 && rest.All(char.IsAsciiDigit) ? rest : value;

    /// <summary>A country as a two-letter code: codes as they are, names ("Canada", "france") looked up.</summary>
    public static string? Country(string? value)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }
        if (text.Length == 2)
        {
            return text.ToUpperInvariant();
        }
        return Countries.Names.FirstOrDefault(p => string.Equals(p.Value, text, StringComparison.OrdinalIgnoreCase)).Key ?? text;
    }
}
