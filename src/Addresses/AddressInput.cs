using FluentValidation;

namespace CommerceManager.Addresses;

/// <summary>The fields of an address as staff or an API caller send them; shared by customer and order addresses.</summary>
public sealed class AddressInput
{
    public string? Name { get; set; }
    public string? FirstName { get; set; }
    public string? LastName { get; set; }
    public string? CompanyName { get; set; }
    public string? Line1 { get; set; }
    public string? Line2 { get; set; }
    public string? City { get; set; }
    public string? Region { get; set; }
    public string? Postcode { get; set; }
    public string? County { get; set; }
    public string? Country { get; set; }
    public string? PhoneNumber { get; set; }
    public string? Instructions { get; set; }
    /// <summary>Custom field values by slug; on update, fields not given keep their values.</summary>
    public Dictionary<string, System.Text.Json.Nodes.JsonNode?>? Custom { get; set; }

    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    public static string CleanCountry(string? value) => (value ?? "").Trim().ToUpperInvariant();

    /// <summary>The postal part as stored: trimmed, blanks as null, the country upper case.</summary>
    public PostalAddress ToPostal() => new()
    {
        FirstName = Clean(FirstName) ?? "",
        LastName = Clean(LastName) ?? "",
        CompanyName = Clean(CompanyName),
        Line1 = Clean(Line1) ?? "",
        Line2 = Clean(Line2),
        City = Clean(City),
        Region = Clean(Region),
        Postcode = Clean(Postcode) ?? "",
        County = Clean(County),
        Country = CleanCountry(Country),
        PhoneNumber = Clean(PhoneNumber),
        Instructions = Clean(Instructions),
    };

    public static AddressInput From(PostalAddress p, string? name = null) => new()
    {
        Name = name, FirstName = p.FirstName, LastName = p.LastName, CompanyName = p.CompanyName, Line1 = p.Line1, Line2 = p.Line2,
        City = p.City, Region = p.Region, Postcode = p.Postcode, County = p.County, Country = p.Country, PhoneNumber = p.PhoneNumber,
        Instructions = p.Instructions,
    };
}

/// <summary>
/// Rules every address shares (lengths, a real ISO country); which fields are required differs: a customer's
/// address needs a county (EP's rule), a checkout address a region.
/// </summary>
public abstract class AddressRules : AbstractValidator<AddressInput>
{
    protected AddressRules(params (string Property, Func<AddressInput, string?> Get, string Label)[] required)
    {
        foreach (var (property, get, label) in required)
        {
            RuleFor(x => get(x)).Must(v => !string.IsNullOrWhiteSpace(v))
                .WithMessage($"{label} is required.").OverridePropertyName(property);
        }
        Length(x => x.Name, nameof(AddressInput.Name), "Label", AddressLimits.Text);
        Length(x => x.FirstName, nameof(AddressInput.FirstName), "First name", AddressLimits.Text);
        Length(x => x.LastName, nameof(AddressInput.LastName), "Last name", AddressLimits.Text);
        Length(x => x.CompanyName, nameof(AddressInput.CompanyName), "Company name", AddressLimits.Text);
        Length(x => x.Line1, nameof(AddressInput.Line1), "Address line 1", AddressLimits.Text);
        Length(x => x.Line2, nameof(AddressInput.Line2), "Address line 2", AddressLimits.Text);
        Length(x => x.City, nameof(AddressInput.City), "City", AddressLimits.Text);
        Length(x => x.Region, nameof(AddressInput.Region), "Region", AddressLimits.Text);
        Length(x => x.County, nameof(AddressInput.County), "County", AddressLimits.Text);
        Length(x => x.Postcode, nameof(AddressInput.Postcode), "Postcode", AddressLimits.Postcode);
        Length(x => x.PhoneNumber, nameof(AddressInput.PhoneNumber), "Phone number", AddressLimits.Phone);
        Length(x => x.Instructions, nameof(AddressInput.Instructions), "Instructions", AddressLimits.Instructions);
        RuleFor(x => x.Country)
            .Must(c => Countries.IsValid(AddressInput.CleanCountry(c)))
            .When(x => !string.IsNullOrWhiteSpace(x.Country))
            .WithMessage("Country must be an ISO 3166-1 alpha-2 code, such as GB or US.");
    }

    private void Length(System.Linq.Expressions.Expression<Func<AddressInput, string?>> property, string name, string label, int max) =>
        RuleFor(property).Must(v => v is null || v.Trim().Length <= max)
            .WithMessage($"{label} must be at most {max} characters.").OverridePropertyName(name);
}

/// <summary>A customer's saved address: first and last name, line 1, postcode, county and country.</summary>
public sealed class AddressInputValidator() : AddressRules(
    (nameof(AddressInput.FirstName), x => x.FirstName, "First name"),
    (nameof(AddressInput.LastName), x => x.LastName, "Last name"),
    (nameof(AddressInput.Line1), x => x.Line1, "Address line 1"),
    (nameof(AddressInput.Postcode), x => x.Postcode, "Postcode"),
    (nameof(AddressInput.County), x => x.County, "County"),
    (nameof(AddressInput.Country), x => x.Country, "Country"));

/// <summary>A billing or shipping address at checkout: first and last name, line 1, region, postcode and country.</summary>
public sealed class OrderAddressValidator() : AddressRules(
    (nameof(AddressInput.FirstName), x => x.FirstName, "First name"),
    (nameof(AddressInput.LastName), x => x.LastName, "Last name"),
    (nameof(AddressInput.Line1), x => x.Line1, "Address line 1"),
    (nameof(AddressInput.Region), x => x.Region, "Region"),
    (nameof(AddressInput.Postcode), x => x.Postcode, "Postcode"),
    (nameof(AddressInput.Country), x => x.Country, "Country"));
