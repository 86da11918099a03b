/// <reference types="@tarojs/taro/types" />
// Taro's globals (defineAppConfig, definePageConfig, process.env.TARO_ENV) and style-module typings.
