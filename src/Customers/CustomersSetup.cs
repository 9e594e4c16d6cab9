using CommerceManager.Common;
using CommerceManager.CustomFields;
using CommerceManager.Data;
using FluentValidation;
using Microsoft.AspNetCore.Identity;
using CommerceManager.History;

namespace CommerceManager.Customers;

public static class CustomersSetup
{
    public static IServiceCollection AddCustomers(this IServiceCollection services, IConfiguration config)
    {
        services.AddStore<ICustomerStore, SqliteCustomerStore, PostgresCustomerStore>(config);
        services.AddBulkLoadedTables(Customer.Table);
        services.AddCustomValueHost(Flow.Customers, Customer.Table);
        services.AddSingleton<IValidator<CustomerInput>, CustomerInputValidator>();
        services.AddSingleton<IPasswordHasher<Customer>, PasswordHasher<Customer>>();
        services.AddSingleton<SqliteCustomerLookup>();
        services.AddSingleton<CustomerService>();
        services.AddOptions<BulkSettings>().BindConfiguration("Customers");
        services.AddSingleton<CustomerBulk>();
        services.AddHousekeeping("bulk jobs' undo data past its 30 days deleted", (sp, ct) => sp.GetRequiredService<CustomerBulk>().ForgetExpiredAsync(ct));
        // A customer's own fields on its timeline; the password as set / replaced / removed only.
        services.AddHistoryRule(HistoryRule.For<Customer>("customer", ChangeKinds.Details, c => c.Id, c => c.Id, c => c.Name)
            .Field(nameof(Customer.Name), "name").Field(nameof(Customer.Email), "email").Field(nameof(Customer.ExternalRef), "external_ref")
            .WithCustomValues(nameof(Customer.CustomData)).WithPassword(nameof(Customer.PasswordHash)));
        return services;
    }
}
