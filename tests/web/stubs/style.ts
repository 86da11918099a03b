// stylesheets are a build concern: jsdom tests import nothing from them
export default {};
