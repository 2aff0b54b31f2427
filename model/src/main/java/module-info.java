/** Meshwork's resource model: Istio-shaped records, their YAML/JSON codec and validation. */
module io.meshwork.model {
  requires transitive com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;

  exports io.meshwork.model;
  exports io.meshwork.model.networking;
  exports io.meshwork.model.security;
  exports io.meshwork.model.meshwork;
  exports io.meshwork.model.kube;
  exports io.meshwork.model.dapr;
  exports io.meshwork.model.codec;
  exports io.meshwork.model.validation;
  exports io.meshwork.model.identity;

  // Jackson binds the records reflectively through their canonical constructors.
  opens io.meshwork.model to com.fasterxml.jackson.databind;
  opens io.meshwork.model.networking to com.fasterxml.jackson.databind;
  opens io.meshwork.model.security to com.fasterxml.jackson.databind;
  opens io.meshwork.model.meshwork to com.fasterxml.jackson.databind;
  opens io.meshwork.model.kube to com.fasterxml.jackson.databind;
  opens io.meshwork.model.dapr to com.fasterxml.jackson.databind;
  // The writer's inclusion filter (ModelMapper.EmptyFilter) is instantiated by Jackson reflectively.
  opens io.meshwork.model.codec to com.fasterxml.jackson.databind;
}
