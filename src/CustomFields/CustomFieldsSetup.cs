using FluentValidation;

namespace CommerceManager.CustomFields;

public static class CustomFieldsSetup
{
    public static IServiceCollection AddCustomFields(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.AddSingleton<IValidator<FieldInput>, FieldInputValidator>();
        services.AddSingleton<IValidator<FlowInput>, FlowInputValidator>();
        services.AddSingleton<CustomFieldValues>();
        services.AddSingleton<FieldDesigner>();
        services.AddSingleton<FieldDefaults>();
        return services;
    }
}
