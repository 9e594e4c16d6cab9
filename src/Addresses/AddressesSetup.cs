using CommerceManager.Customers;
using CommerceManager.Data;
using CommerceManager.CustomFields;
using FluentValidation;
using CommerceManager.History;

namespace CommerceManager.Addresses;

public static class AddressesSetup
{
    public static IServiceCollection AddAddresses(this IServiceCollection services)
    {
        services.AddSingleton<IValidator<AddressInput>, AddressInputValidator>();
        services.AddBulkLoadedTables(Address.Table);
        services.AddCustomValueHost(Flow.Addresses, Address.Table);
        services.AddSingleton<AddressService>();
        services.AddCustomerBelongings<AddressBelongings>();
        services.AddHistoryRule(HistoryRule.For<Address>("address", ChangeKinds.Address, a => a.Id, a => a.CustomerId,
                a => a.Name is { Length: > 0 } label ? label : $"{a.Postal.FirstName} {a.Postal.LastName}, {a.Postal.Line1}".Trim())
            .Field(nameof(Address.Name), "name")
            .Field("Postal.FirstName", "first_name").Field("Postal.LastName", "last_name").Field("Postal.CompanyName", "company_name")
            .Field("Postal.Line1", "line_1").Field("Postal.Line2", "line_2").Field("Postal.City", "city").Field("Postal.Region", "region")
            .Field("Postal.County", "county").Field("Postal.Postcode", "postcode").Field("Postal.Country", "country")
            .Field("Postal.PhoneNumber", "phone_number").Field("Postal.Instructions", "instructions")
            .WithCustomValues(nameof(Address.CustomData)));
        return services;
    }
}
