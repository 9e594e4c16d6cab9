using FluentValidation;

namespace CommerceManager.Ui;

public static class ValidatorExtensions
{
    /// <summary>
    /// Lets a MudForm run a FluentValidation validator one field at a time, so the console shows exactly the
    /// messages the service and the API would give, next to the field they concern.
    /// </summary>
    public static Func<object, string, Task<IEnumerable<string>>> ForMudForm<T>(this IValidator<T> validator) =>
        async (model, propertyName) =>
        {
            var context = ValidationContext<T>.CreateWithOptions((T)model, o => o.IncludeProperties(propertyName));
            var result = await validator.ValidateAsync(context);
            return result.IsValid ? [] : result.Errors.Select(e => e.ErrorMessage);
        };
}
