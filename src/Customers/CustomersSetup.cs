using FluentValidation;
using Microsoft.AspNetCore.Identity;

namespace CommerceManager.Customers;

public static class CustomersSetup
{
    public static IServiceCollection AddCustomers(this IServiceCollection services)
    {
        services.AddSingleton<IValidator<CustomerInput>, CustomerInputValidator>();
        services.AddSingleton<IPasswordHasher<Customer>, PasswordHasher<Customer>>();
        services.AddSingleton<CustomerService>();
        services.AddSingleton<CustomerBulk>();
        return services;
    }
}
