#  actorio_add_plugin (TARGET SOURCE...) - a plugin for actor-run: the
#  shared object TARGET.so, which a group names in its topology
#  (plugin = TARGET.so) and dlopens, and whose classes it finds by their
#  symbols `const act_class_t actorio_class_<class>`.
#
#  A plugin is compiled against the headers of actorio and czmq (position
#  independent, a MODULE) and links no copy of actorio: actor-run holds
#  the runtime and exports its act_* functions to the plugins it loads, so
#  they stay undefined in the plugin until then. A plugin that linked
#  libactorio would bring a second runtime into the group, with its own
#  state (message cache, counters), the calls split between the two by
#  symbol interposition, and the version it was built with rather than the
#  one actor-run runs; actor-run --check refuses one that links the shared
#  library.
#
#  Installed with the package (find_package (actorio)); the project's own
#  plugins use it too, where actorio::actorio is the in-tree library.
function (actorio_add_plugin target)
    if (NOT ARGN)
        message (FATAL_ERROR "actorio_add_plugin (${target}): no source files")
    endif ()
    add_library (${target} MODULE ${ARGN})
    set_target_properties (${target} PROPERTIES PREFIX "")
    #  The headers only: the interface of actorio::actorio without linking
    #  it, and czmq's and libzmq's, whose libraries actor-run loads anyway.
    target_include_directories (${target} PRIVATE
        $<TARGET_PROPERTY:actorio::actorio,INTERFACE_INCLUDE_DIRECTORIES>)
    target_link_libraries (${target} PRIVATE PkgConfig::CZMQ PkgConfig::ZMQ)
endfunction ()
