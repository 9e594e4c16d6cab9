using FluentValidation;

namespace CommerceManager.Addresses;

public static class AddressesSetup
{
    public static IServiceCollection AddAddresses(this IServiceCollection services)
    {
        services.AddSingleton<IValidator<AddressInput>, AddressInputValidator>();
        services.AddSingleton<AddressService>();
        return services;
    }
}
