"""{% profile_section shown %}: one section of the profile page (users.profile_sections), its
template rendered like an include, with the section's own context on top of the page's."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def profile_section(context, shown) -> str:
    section_template = context.template.engine.get_template(shown.template)
    with context.push(**shown.context):
        return section_template.render(context)
